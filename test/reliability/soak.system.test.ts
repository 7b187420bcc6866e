import { describe, expect, it } from 'vitest';
import { runSoak, SOAK_FAULT_KINDS } from '../../bench/soak/run-soak.js';

const CONTACTS = 150;

describe(`soak: ${CONTACTS} contacts to three vendors at a 20 % fault rate`, () => {
  it('loses nothing, duplicates nothing, and reports every row that exhausted its retries', async () => {
    const figures = await runSoak({
      contacts: CONTACTS,
      seed: 7,
      rerunRejects: true,
      // The client and the sandbox share this process and, on a loaded machine, a fraction of a
      // core: a request can wait its turn for a second or more. A per-attempt timeout well above
      // that keeps the timeouts to the injected `slow` faults, which answer later still.
      concurrency: 16,
      timeout: 2_000,
      slowMs: 2_200,
    });
    // Every kind of fault was drawn, so each path below was exercised.
    for (const kind of SOAK_FAULT_KINDS) expect(figures.faultsByKind[kind] ?? 0).toBeGreaterThan(0);
    for (const vendor of figures.vendors) {
      expect(vendor, vendor.provider).toMatchObject({
        lost: 0,
        duplicated: 0,
        failedNotInRejects: 0,
        badLinks: 0,
      });
      expect(vendor.stored + vendor.failed).toBeGreaterThanOrEqual(CONTACTS);
      // Bounded cost: a contact costs a few requests, even with one in five failing.
      expect(vendor.requests / figures.contacts).toBeLessThan(4);
    }
    expect(figures.missingReportLines).toBe(0);
    expect(figures.rejectedButSynced).toBe(0);
    expect(figures.rejectedRows).toBe(figures.failedRows);
    expect(figures.exitCode).toBe(figures.failedRows > 0 ? 1 : 0);
    if (figures.rerun) expect(figures.rerun).toMatchObject({ exitCode: 0, lost: 0, duplicated: 0 });
  });
});
