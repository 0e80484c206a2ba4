/**
 * Terraform reads `${` in any string as a template. Text that must reach a resource literally
 * (a Grafana dashboard with its own `${datasource}`, a Python module) is escaped to `$${`.
 */
export function escapeTerraformTemplates(text: string): string {
  return text.replace(/\$\{/g, () => '$${');
}
