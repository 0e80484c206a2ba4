/**
 * Benchmark floor: loads every module the synth entry point uses, then exits.
 */
import '../stacks/celery-stack';
import '../stacks/stack-artifacts';
import '../spec/load';
import '../constructs/policies/policy-aspect';

process.setSourceMapsEnabled(false);
