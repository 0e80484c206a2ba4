/**
 * E2 machine types for GCP worker pools: the smallest that fits, and none beyond what E2 offers.
 */
import { describe, expect, it } from 'vitest';
import { e2MachineType } from '../../spec/gcp-machine-types';

describe('the E2 machine type of a pool', () => {
  it.each([
    [0.5, 1024, 'e2-small'],
    [0.5, 4096, 'e2-medium'],
    [1, 2048, 'e2-highcpu-2'],
    [2, 4096, 'e2-standard-2'],
    [2, 8192, 'e2-standard-2'],
    [4, 4096, 'e2-highcpu-4'],
    [4, 16384, 'e2-standard-4'],
    [2, 16384, 'e2-highmem-2'],
    [16, 131072, 'e2-highmem-16'],
    [32, 131072, 'e2-standard-32'],
  ])('for %s vCPU and %s MiB is %s', (cpu, memory, type) => {
    expect(e2MachineType(cpu, memory)).toBe(type);
  });

  it('does not exist beyond 32 vCPU or 128 GB (highmem stops at 16 vCPU)', () => {
    expect(e2MachineType(32, 262144)).toBeUndefined();
    expect(e2MachineType(64, 4096)).toBeUndefined();
  });
});

it('fits every pool size the schema allows', () => {
  for (const cpu of [0.25, 0.5, 1, 2, 3, 4, 8, 12, 16]) {
    for (const memory of [512, 2048, 8192, 65536, 122880]) expect(e2MachineType(cpu, memory)).toMatch(/^e2-/);
  }
});
