/**
 * A plan, as Markdown a reviewer reads in a pull request: counts, then every change with the
 * destructive ones first and stateful ones marked, then the outputs that change.
 */
import { destructiveChanges } from './change-guard';
import { countActions, type PlanAction, type TerraformPlan } from './terraform-plan';

const ORDER: readonly PlanAction[] = ['delete', 'replace', 'update', 'create', 'forget'];
/** Long creates (a new stack is ~150 resources) fold away; destructive changes never do. */
const FOLD_ABOVE = 20;

export function planSummaryMarkdown(plan: TerraformPlan): string {
  const counts = countActions(plan.changes);
  const stateful = new Set(destructiveChanges(plan).map((d) => d.address));
  const title = plan.stackId ?? plan.file;
  const lines = [
    `### celerykit plan: \`${title}\``,
    '',
    `**${counts.create}** to create, **${counts.update}** to update, **${counts.replace}** to replace, **${counts.delete}** to delete (terraform ${plan.terraformVersion}).`,
    '',
  ];
  lines.push(
    stateful.size === 0
      ? 'No stateful resource (broker, disk, secret, key, bucket) is deleted or replaced.'
      : `:warning: **${stateful.size} stateful resource${stateful.size === 1 ? ' is' : 's are'} deleted or replaced** (marked below); \`celerykit guard\` blocks this plan unless the parameter file sets \`allowDestroy\`.`,
    '',
  );
  for (const action of ORDER) {
    const rows = plan.changes.filter((c) => c.action === action);
    if (rows.length === 0) continue;
    const table = [
      '| | Resource | Type | Why |',
      '| --- | --- | --- | --- |',
      ...rows.map((c) => `| ${stateful.has(c.address) ? ':warning:' : ''} | \`${c.address}\` | ${c.type} | ${c.replacedBecauseOf.length > 0 ? `forced by ${c.replacedBecauseOf.map((p) => `\`${p}\``).join(', ')}` : (c.reason ?? '')} |`),
    ];
    const heading = `${action} (${rows.length})`;
    if (rows.length > FOLD_ABOVE && action !== 'delete' && action !== 'replace') {
      lines.push(`<details><summary>${heading}</summary>`, '', ...table, '', '</details>', '');
    } else {
      lines.push(`#### ${heading}`, '', ...table, '');
    }
  }
  if (plan.outputsChanged.length > 0) lines.push(`Outputs that change: ${plan.outputsChanged.map((o) => `\`${o}\``).join(', ')}.`, '');
  return lines.join('\n');
}
