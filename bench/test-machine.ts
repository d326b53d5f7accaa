// The machine record of the bench's hand-made results (tests only).
import type { MachineInfo } from './report.js';

/** A 2-core test machine, quiet unless `overrides` say otherwise. */
export function testMachine(overrides: Partial<MachineInfo> = {}): MachineInfo {
  return {
    cpu: 'Test CPU',
    cores: 2,
    memoryGiB: 8,
    os: 'Linux',
    node: 'v20',
    versions: {},
    date: '2026-01-01T00:00:00Z',
    load: [0, 0, 0],
    otherCores: 0,
    ...overrides,
  };
}
