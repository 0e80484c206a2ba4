/**
 * The smallest E2 machine type that gives a pool at least the vCPUs and memory the file asks for.
 * E2 comes in 2/4/8/16/32 vCPUs with 1 (highcpu), 4 (standard) or 8 (highmem) GB per vCPU; the
 * shared-core e2-small/e2-medium cover pools under one vCPU.
 */
const SIZES = [2, 4, 8, 16, 32];
const FAMILIES: Array<[string, number]> = [
  ['highcpu', 1],
  ['standard', 4],
  ['highmem', 8],
];

export function e2MachineType(cpu: number, memoryMiB: number): string {
  const memoryGb = memoryMiB / 1024;
  if (cpu < 1 && memoryGb <= 2) return 'e2-small';
  if (cpu < 1 && memoryGb <= 4) return 'e2-medium';
  for (const vcpus of SIZES) {
    if (vcpus < cpu) continue;
    for (const [family, gbPerVcpu] of FAMILIES) {
      if (vcpus * gbPerVcpu >= memoryGb) return `e2-${family}-${vcpus}`;
    }
  }
  throw new Error(`no E2 machine type offers ${cpu} vCPU and ${memoryMiB} MiB`);
}
