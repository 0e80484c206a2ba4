/**
 * Writes constructs/aws/worker-hooks/ecs-protection-hook.ts from celerykit_ecs_protection.py, so
 * the construct that ships the hook carries exactly the reviewed Python file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '..', 'constructs', 'aws', 'worker-hooks');
const source = readFileSync(join(dir, 'celerykit_ecs_protection.py'), 'utf8');
const header = readFileSync(join(dir, 'ecs-protection-hook.ts'), 'utf8').split('export const ECS_PROTECTION_HOOK_SOURCE =')[0]!;
writeFileSync(join(dir, 'ecs-protection-hook.ts'), `${header}export const ECS_PROTECTION_HOOK_SOURCE =\n  ${JSON.stringify(source)};\n`);
