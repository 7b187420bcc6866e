import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const doc = read('docs/writing-a-provider.md');
const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, language, body]) => ({
  language,
  body: body as string,
}));

describe('docs/writing-a-provider.md', () => {
  it('quotes the example adapter as it is: each ts snippet is a run of lines of the file it names', () => {
    const quoted = blocks.filter(
      (block) => block.language === 'ts' && block.body.startsWith('// examples/'),
    );
    expect(quoted.length).toBeGreaterThanOrEqual(8);
    for (const { body } of quoted) {
      const [header, ...lines] = body.trimEnd().split('\n');
      const file = read((header as string).slice(3));
      expect(file, `${header} no longer holds this snippet`).toContain(lines.join('\n'));
    }
  });

  it("shows the example's package.json fields as they are", () => {
    const shown = JSON.parse(blocks.find((block) => block.language === 'json')?.body ?? '{}');
    const actual = JSON.parse(read('examples/acme-provider/package.json'));
    for (const [key, value] of Object.entries(shown)) expect(actual[key], key).toEqual(value);
    expect(shown.peerDependencies).toEqual({ 'contact-sync': expect.any(String) });
  });
});
