/**
 * The smallest E2 machine type that gives a GCP worker pool at least the vCPUs and memory the file
 * asks for. E2 comes in highcpu (1 GB per vCPU) and standard (4 GB) with 2-32 vCPUs, and highmem
 * (8 GB) with 2-16; the shared-core e2-small/e2-medium cover pools under one vCPU. The schema's
 * bounds (16 vCPU, 120 GiB) always fit e2-highmem-16, so every valid pool gets a type.
 */
const FAMILIES: Array<{ family: string; gbPerVcpu: number; sizes: number[] }> = [
  { family: 'highcpu', gbPerVcpu: 1, sizes: [2, 4, 8, 16, 32] },
  { family: 'standard', gbPerVcpu: 4, sizes: [2, 4, 8, 16, 32] },
  { family: 'highmem', gbPerVcpu: 8, sizes: [2, 4, 8, 16] },
];

/** The machine type, or undefined when no E2 type is large enough. */
export function e2MachineType(cpu: number, memoryMiB: number): string | undefined {
  const memoryGb = memoryMiB / 1024;
  if (cpu < 1 && memoryGb <= 2) return 'e2-small';
  if (cpu < 1 && memoryGb <= 4) return 'e2-medium';
  const candidates = FAMILIES.flatMap((f) => f.sizes.filter((n) => n >= cpu && n * f.gbPerVcpu >= memoryGb).map((n) => ({ name: `e2-${f.family}-${n}`, vcpus: n, gb: n * f.gbPerVcpu })));
  candidates.sort((a, b) => a.vcpus - b.vcpus || a.gb - b.gb);
  return candidates[0]?.name;
}


