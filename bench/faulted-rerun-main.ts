/**
 * Issue 12's done-when, on its own: `npm run bench:faulted -- 20000` pushes that many records to
 * the three emulated vendors with 20 % of the requests faulted, then pushes them again with the
 * same links. It prints the figures as JSON; the rerun must create nothing and every vendor must
 * hold exactly one contact per key (docs/performance.md).
 */
import { runFaultedTwice } from './faulted-rerun.js';

const records = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(records) || records < 1) {
  console.error('usage: npm run bench:faulted -- <records>');
  process.exit(2);
}
const started = Date.now();
const figures = await runFaultedTwice({
  records,
  faultRate: 0.2,
  concurrency: 16,
  log: (line) => console.error(new Date().toISOString(), line),
});
console.log(JSON.stringify({ seconds: (Date.now() - started) / 1000, ...figures }, null, 1));
const exact = figures.vendors.every(
  (vendor) => vendor.held === records && vendor.distinctPhones === records && vendor.missing === 0,
);
process.exit(figures.rerun.results.created === 0 && exact ? 0 : 1);
