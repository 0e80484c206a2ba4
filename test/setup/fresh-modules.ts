/**
 * Gives each test file fresh copies of the project's own modules while the worker process keeps
 * node_modules loaded.
 *
 * Why: vitest.config.ts turns isolation off so a worker process runs many files; importing cdktf
 * and the two provider packages costs a few seconds of CPU per process, which isolation paid
 * again for each of about a hundred files. vi.resetModules() drops vitest's record of every module
 * it evaluated, so the next file's imports run the project's code again (module-level state,
 * vi.mock factories of the file, which vitest keys by test file) while Node's own cache hands back
 * the already loaded external packages. Registered as the first setup file: it runs before each
 * test file is imported.
 */
import { vi } from 'vitest';

vi.resetModules();
