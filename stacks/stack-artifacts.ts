/**
 * Files written next to each stack's cdk.tf.json for people and pipelines: the alert rules, the
 * Grafana dashboard, the app's Celery settings, a diagram of the stack. They come from the same spec as the infrastructure, so they never disagree.
 */
import { renderAlertRules } from '../constructs/celery/alert-rules';
import { CELERY_SETTINGS_FILE, celerySettingsModule } from '../constructs/celery/celery-settings';
import { grafanaDashboard } from '../constructs/celery/dashboards';
import { stackSelector } from '../constructs/celery/promql';
import { stackDiagram, stackDiagramMarkdown } from './stack-diagram';
import type { DeploymentSpec } from '../spec/types';

export function stackArtifacts(spec: DeploymentSpec): Record<string, string> {
  const selector = stackSelector(spec.cloud, spec.stackId);
  return {
    'alert-rules.yaml': renderAlertRules(spec, { selector }),
    [CELERY_SETTINGS_FILE]: celerySettingsModule(spec),
    'grafana-dashboard.json': `${JSON.stringify(grafanaDashboard(spec, { selector }), null, 2)}\n`,
    // The Markdown page for people (code hosts draw it), the bare flowchart for renderers such as mmdc.
    'diagram.md': stackDiagramMarkdown(spec),
    'diagram.mmd': stackDiagram(spec),
  };
}
