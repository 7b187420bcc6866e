#!/usr/bin/env node
// `npm test`: the unit and end-to-end tests (files in parallel), then the system tests (several
// processes, SIGKILLs, vendor-side rate checks) one file at a time. Arguments go to both runs
// (`npm test -- test/core`). With TEST_REPORT=path, each run also writes vitest's JSON report and
// the totals of both are written to that path as { numPassedTests, numFailedTests }.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const extra = process.argv.slice(2);
const report = process.env.TEST_REPORT;
const totals = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 };
let status = 0;

for (const project of ['unit', 'system']) {
  const args = ['vitest', 'run', '--project', project, '--passWithNoTests', ...extra];
  const output = report ? `${report}.${project}.json` : undefined;
  if (output) args.push('--reporter=default', '--reporter=json', `--outputFile=${output}`);
  const run = spawnSync('npx', args, { stdio: 'inherit' });
  if (run.status !== 0) status = run.status ?? 1;
  if (output) {
    try {
      const counts = JSON.parse(readFileSync(output, 'utf8'));
      for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0;
      rmSync(output);
    } catch {
      status = status || 1;
    }
  }
}
if (report) writeFileSync(report, JSON.stringify(totals));
process.exit(status);
