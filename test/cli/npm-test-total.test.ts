import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/test.mjs', import.meta.url));

/** `npm test` runs two vitest halves; its last line must be the total of both (issue 25). */
describe('npm test (scripts/test.mjs)', () => {
  it('prints one total of both halves last', async () => {
    const child = spawn(process.execPath, [script, 'test/cli/decode.test.ts'], {
      env: { ...process.env, TEST_REPORT: '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status, output).toBe(0);
    const last = output.trimEnd().split('\n').at(-1);
    expect(last).toBe('All tests: 5 passed, 0 failed (unit 5/5, system 0/0)');
  });
});
