#!/usr/bin/env node
// `npm test`: two vitest runs side by side. The unit and end-to-end tests (files in parallel)
// print as they go; the system tests (several processes, SIGKILLs, vendor-side rate checks) run
// one file at a time alongside, and their output is printed once the unit run's is complete, so
// the two never interleave. The system tests wait on conditions and rate limits, not on the CPU,
// so sharing the cores costs them little and the whole suite takes about as long as its longer
// half. Arguments go to both runs (`npm test -- test/core`). With TEST_REPORT=path, each run also
// writes vitest's JSON report and the totals of both are written to that path as
// { numPassedTests, numFailedTests, numTotalTests }. The last line printed is always the total of
// both runs (each run's own "Tests N passed" line counts only its half).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// vitest's own entry, run with this Node: no npx start-up (seconds on a loaded machine), and the
// tests run on the Node that runs `npm test`.
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const extra = process.argv.slice(2);
const report = process.env.TEST_REPORT;
// Each run's JSON report, for the total: next to TEST_REPORT, else in a folder of our own.
const scratch = report ? undefined : mkdtempSync(join(tmpdir(), 'contact-sync-test-'));
const reportBase = report ?? join(scratch, 'report');

/** Runs one project; `live` prints as it goes, otherwise the output is held and returned. */
function run(project, live) {
  const args = [vitest, 'run', '--project', project, '--passWithNoTests', ...extra];
  const output = `${reportBase}.${project}.json`;
  args.push('--reporter=default', '--reporter=json', `--outputFile=${output}`);
  const child = spawn(process.execPath, args, {
    stdio: live ? 'inherit' : ['inherit', 'pipe', 'pipe'],
  });
  const held = [];
  child.stdout?.on('data', (chunk) => held.push(chunk));
  child.stderr?.on('data', (chunk) => held.push(chunk));
  return new Promise((resolve) => {
    child.once('error', (error) => {
      held.push(Buffer.from(`could not start vitest: ${error.message}\n`));
      resolve({ status: 1, output, held });
    });
    child.once('close', (status) => resolve({ status: status ?? 1, output, held }));
  });
}

const system = run('system', false);
const unit = await run('unit', true);
const systemDone = await system;
for (const chunk of systemDone.held) process.stdout.write(chunk);

let status = 0;
const totals = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 };
const halves = [];
for (const [name, result] of [
  ['unit', unit],
  ['system', systemDone],
]) {
  if (result.status !== 0) status = result.status;
  try {
    const counts = JSON.parse(readFileSync(result.output, 'utf8'));
    for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0;
    halves.push(`${name} ${counts.numPassedTests ?? 0}/${counts.numTotalTests ?? 0}`);
    rmSync(result.output);
  } catch {
    halves.push(`${name}: no report`);
    status = status || 1;
  }
}
if (report) writeFileSync(report, JSON.stringify(totals));
if (scratch) rmSync(scratch, { recursive: true, force: true });
const skipped = totals.numTotalTests - totals.numPassedTests - totals.numFailedTests;
process.stdout.write(
  `\nAll tests: ${totals.numPassedTests} passed, ${totals.numFailedTests} failed${
    skipped ? `, ${skipped} skipped` : ''
  } (${halves.join(', ')})${status ? ' — FAILED' : ''}\n`,
);
process.exit(status);
