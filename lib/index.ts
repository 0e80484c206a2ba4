/**
 * `celerykit`: what both clouds share. The cloud constructs are in `celerykit/aws` and
 * `celerykit/gcp`, so that an AWS-only app never loads the google provider bindings.
 */
export { CeleryParametersError, resolveCeleryParameters, type AwsCeleryParameters, type CeleryParameters, type GcpCeleryParameters } from './parameters';
export { CeleryPolicyPack, type CeleryPolicyPackProps } from './policy-pack';
export { celerySettingsModule } from '../constructs/celery/celery-settings';
export { formatProblem, type KeyPath, type SpecProblem } from '../spec/problems';
export type { DeploymentSpec } from '../spec/types';
export type { PolicySuppression, PolicyViolation } from '../constructs/policies/policy-aspect';
