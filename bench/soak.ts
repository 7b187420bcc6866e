/**
 * `npm run soak [-- --contacts N --fault-rate R --seed S --concurrency C]`: pushes N contacts
 * (default 10,000) through `contact-sync push --links --report --rejects` to the three vendors of a
 * sandbox failing a share of the requests (500, 502, 503, 429 with Retry-After, slow answers past
 * the timeout, connections dropped before and after the vendor acted), then prints what the vendors
 * hold against the input. Exit status 1 when a contact is lost or duplicated, or a failure went
 * unreported.
 */
import { parseArgs } from 'node:util';
import { renderSoak, runSoak } from './soak/run-soak.js';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '10000' },
    'fault-rate': { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '32' },
    'no-rerun': { type: 'boolean', default: false },
  },
});

const figures = await runSoak({
  contacts: Number(values.contacts),
  faultRate: Number(values['fault-rate']),
  seed: Number(values.seed),
  concurrency: Number(values.concurrency),
  rerunRejects: !values['no-rerun'],
  log: (line) => process.stderr.write(`${line}\n`),
  onFigures: (first) => process.stderr.write(`${renderSoak(first)}\n\n`),
});
process.stdout.write(`${renderSoak(figures)}\n`);
process.stdout.write(`node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
const broken = figures.vendors.some(
  (vendor) =>
    vendor.lost > 0 ||
    vendor.duplicated > 0 ||
    vendor.failedNotInRejects > 0 ||
    vendor.badLinks > 0,
);
const rerunBroken = figures.rerun && (figures.rerun.lost > 0 || figures.rerun.duplicated > 0);
process.exitCode =
  broken || rerunBroken || figures.rejectedButSynced > 0 || figures.missingReportLines > 0 ? 1 : 0;
