import { describe, expect, it } from 'vitest';
import { runSoak, SOAK_FAULT_KINDS } from '../../bench/soak/run-soak.js';

describe('soak: 300 contacts to three vendors at a 20 % fault rate', () => {
  it('loses nothing, duplicates nothing, and reports every row that exhausted its retries', async () => {
    const figures = await runSoak({ contacts: 300, seed: 7, rerunRejects: true });
    // Every kind of fault was drawn, so each path below was exercised.
    for (const kind of SOAK_FAULT_KINDS) expect(figures.faultsByKind[kind] ?? 0).toBeGreaterThan(0);
    for (const vendor of figures.vendors) {
      expect(vendor, vendor.provider).toMatchObject({
        lost: 0,
        duplicated: 0,
        failedNotInRejects: 0,
        badLinks: 0,
      });
      expect(vendor.stored + vendor.failed).toBeGreaterThanOrEqual(300);
      // Bounded cost: a contact costs a few requests, even with one in five failing.
      expect(vendor.requests / figures.contacts).toBeLessThan(4);
    }
    expect(figures.missingReportLines).toBe(0);
    expect(figures.rejectedButSynced).toBe(0);
    expect(figures.rejectedRows).toBe(figures.failedRows);
    expect(figures.exitCode).toBe(figures.failedRows > 0 ? 1 : 0);
    if (figures.rerun) expect(figures.rerun).toMatchObject({ exitCode: 0, lost: 0, duplicated: 0 });
  }, 60_000); // About 7 s on an idle 2-core machine; the margin is for a loaded one.
});
