/**
 * The stack resource graph: edges from references and depends_on as cdktf synthesizes them,
 * queried transitively.
 */
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { App, Testing, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ResourceGraph, referencesIn, typeOf } from '../../../constructs/policies/resource-graph';

function synthesized(build: (stack: TerraformStack) => void): ResourceGraph {
  const app = new App({ outdir: '/tmp/celerykit-graph-tests' });
  const stack = new TerraformStack(app, 'graph-test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  build(stack);
  return ResourceGraph.fromSynthesizedStack(JSON.parse(Testing.synth(stack)) as Record<string, unknown>, 'graph-test');
}

describe('referencesIn', () => {
  it('finds resource and data-source addresses inside interpolations, not outside them', () => {
    expect(referencesIn('${aws_ecs_cluster.main.arn}')).toEqual(['aws_ecs_cluster.main']);
    expect(referencesIn('${jsonencode([data.aws_iam_policy_document.p.json, aws_sqs_queue.q.arn])}')).toEqual([
      'data.aws_iam_policy_document.p',
      'aws_sqs_queue.q',
    ]);
    expect(referencesIn('aws_ecs_cluster.main.arn')).toEqual([]);
    expect(referencesIn('${var.region}')).toEqual([]);
  });

  it('names the type of resource and data-source addresses', () => {
    expect(typeOf('aws_ecs_service.worker')).toBe('aws_ecs_service');
    expect(typeOf('data.aws_region.current')).toBe('aws_region');
  });
});

describe('ResourceGraph', () => {
  it('follows references and depends_on transitively, and not the other way round', () => {
    const graph = synthesized((stack) => {
      const secret = new SecretsmanagerSecret(stack, 'secret', { name: 's' });
      const version = new SecretsmanagerSecretVersion(stack, 'version', { secretId: secret.id, secretString: 'x' });
      const cluster = new EcsCluster(stack, 'cluster', { name: 'c' });
      const task = new EcsTaskDefinition(stack, 'task', {
        family: 'f',
        containerDefinitions: JSON.stringify([{ name: 'w', image: 'i', secrets: [{ name: 'S', valueFrom: secret.arn }] }]),
      });
      new EcsService(stack, 'service', { name: 'svc', cluster: cluster.arn, taskDefinition: task.arn, dependsOn: [version] });
      new EcsService(stack, 'early', { name: 'early', cluster: cluster.arn, taskDefinition: task.arn });
    });
    expect(graph.directDependencies('aws_ecs_service.service').sort()).toEqual(
      ['aws_ecs_cluster.cluster', 'aws_ecs_task_definition.task', 'aws_secretsmanager_secret_version.version'].sort(),
    );
    expect(graph.dependsOn('aws_ecs_service.service', 'aws_secretsmanager_secret_version.version')).toBe(true);
    expect(graph.dependsOn('aws_ecs_service.service', 'aws_secretsmanager_secret.secret')).toBe(true);
    // Referencing the secret does not order the service after the secret's value.
    expect(graph.dependsOn('aws_ecs_service.early', 'aws_secretsmanager_secret_version.version')).toBe(false);
    expect(graph.dependsOn('aws_secretsmanager_secret.secret', 'aws_ecs_service.service')).toBe(false);
    expect(graph.dependents('aws_secretsmanager_secret.secret')).toContain('aws_ecs_service.early');
    expect(graph.path('aws_ecs_service.early', 'aws_secretsmanager_secret.secret')).toEqual([
      'aws_ecs_service.early',
      'aws_ecs_task_definition.task',
      'aws_secretsmanager_secret.secret',
    ]);
    expect(graph.ofType('aws_ecs_service').map((r) => r.address).sort()).toEqual(['aws_ecs_service.early', 'aws_ecs_service.service']);
  });
});
