import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.js';
import { jsonErrorPosition } from '../../cli/json-position.js';

const CANARY = 'CANARY-literal-9f31';
const placeholder = (name: string) => `\${${name}}`;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-config-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function configError(text: string, env: Record<string, string> = {}): Promise<Error> {
  const file = join(directory, 'contact-sync.config.json');
  await writeFile(file, text);
  const error = await loadConfig(file, env).then(
    () => expect.unreachable('the config was accepted'),
    (failure: unknown) => failure as Error,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error;
}

describe('a hostile or broken configuration file', () => {
  it('a JSON syntax error names the line and column and quotes none of the file', async () => {
    const broken = [
      `{"stores": [{"provider": "callbell", "apiToken": ${CANARY}}]}`,
      `{"stores": [{"provider": "callbell",\n  "apiToken": "${CANARY}" "x"}]}`,
      `{"stores": [{"provider": "callbell", "apiToken": "${CANARY}\n"}]}`,
      `{"stores": [{"provider": "callbell", "apiToken": "${CANARY}"`,
      `{"stores": [{"provider": "callbell", 'apiToken': '${CANARY}'}]}`,
    ];
    for (const text of broken) {
      const error = await configError(text);
      expect(error.message, text).toMatch(/is not valid JSON \(line \d+, column \d+\)$/);
      for (const fragment of ['CANARY', 'literal', '9f31', 'apiToken', 'callbell']) {
        expect(error.message, text).not.toContain(fragment);
      }
    }
  });

  it('locates the first invalid character exactly', () => {
    expect(jsonErrorPosition('{"a": x}')).toEqual({ line: 1, column: 7 });
    expect(jsonErrorPosition('{\n  "a": 1,\n}')).toEqual({ line: 3, column: 1 });
    expect(jsonErrorPosition('[1, 2')).toEqual({ line: 1, column: 6 });
    expect(jsonErrorPosition('"tab\tinside"')).toEqual({ line: 1, column: 5 });
    expect(jsonErrorPosition('{} x')).toEqual({ line: 1, column: 4 });
  });

  it('accepts a placeholder only as the whole value', async () => {
    const env = { X: 'from-the-env', CALLBELL_TOKEN: 'token-from-env' };
    for (const apiToken of [
      `Literal${placeholder('X')}`,
      `${placeholder('X')}suffix`,
      `${placeholder('X')}${placeholder('X')}`,
      `${CANARY}${placeholder('X')}`,
    ]) {
      const error = await configError(
        JSON.stringify({
          stores: [{ provider: 'callbell', apiToken, baseUrl: 'https://api.example.test' }],
        }),
        env,
      );
      expect(error.message, apiToken).toContain('stores[0].apiToken');
      expect(error.message, apiToken).toContain('placeholder must be the whole value');
      for (const fragment of ['Literal', 'suffix', 'CANARY', 'from-the-env']) {
        expect(error.message, apiToken).not.toContain(fragment);
      }
    }
    const file = join(directory, 'whole.config.json');
    await writeFile(
      file,
      JSON.stringify({
        stores: [{ provider: 'callbell', apiToken: placeholder('CALLBELL_TOKEN') }],
      }),
    );
    const { config } = await loadConfig(file, env);
    expect(config.stores[0]).toMatchObject({ apiToken: 'token-from-env' });
  });

  it('keeps refusing a literal secret, without quoting it', async () => {
    const error = await configError(
      JSON.stringify({
        stores: [{ provider: 'callbell', apiToken: CANARY, baseUrl: 'https://api.example.test' }],
      }),
    );
    expect(error.message).toMatch(/stores\[0\]\.apiToken: write it as/);
    expect(error.message).not.toContain('CANARY');
  });
});
