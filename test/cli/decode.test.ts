import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  decodeText,
  detectEncoding,
  encodeText,
  type InvalidBytes,
  type TextEncoding,
} from '../../cli/decode.js';

/**
 * The decoder runs on every Node line CI tests (20, 22 and 24, `.ci/run`): on Node 20.20,
 * TextDecoder('windows-1252') drops the bytes 0x80–0x9F, so these expectations are written out
 * by hand from the Windows-1252 code page, not computed by a decoder.
 */
const C1 = [
  '€',
  undefined,
  '‚',
  'ƒ',
  '„',
  '…',
  '†',
  '‡',
  'ˆ',
  '‰',
  'Š',
  '‹',
  'Œ',
  undefined,
  'Ž',
  undefined,
  undefined,
  '‘',
  '’',
  '“',
  '”',
  '•',
  '–',
  '—',
  '˜',
  '™',
  'š',
  '›',
  'œ',
  undefined,
  'ž',
  'Ÿ',
];

async function decode(bytes: Buffer, encoding: TextEncoding, chunk = bytes.length || 1) {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) pieces.push(bytes.subarray(at, at + chunk));
  const invalid: InvalidBytes[] = [];
  let text = '';
  for await (const part of decodeText(Readable.from(pieces), encoding, (at) => invalid.push(at))) {
    text += part;
  }
  return { text, invalid };
}

describe(`decoding on Node ${process.version}`, () => {
  it('Windows-1252: each assigned byte 0x80–0x9F is its character, whole or one byte per chunk', async () => {
    for (const [offset, char] of C1.entries()) {
      if (char === undefined) continue;
      const bytes = Buffer.from([0x4c, 0x80 + offset, 0x48, 0xf4, 0x74, 0x65]);
      for (const chunk of [bytes.length, 1]) {
        const { text, invalid } = await decode(bytes, 'windows-1252', chunk);
        expect(text, `byte 0x${(0x80 + offset).toString(16)}`).toBe(`L${char}Hôte`);
        expect(invalid).toEqual([]);
      }
    }
    // The rest is Latin-1's: every byte from 0xA0 up is U+00A0 up.
    const high = Buffer.from(Array.from({ length: 96 }, (_, index) => 0xa0 + index));
    expect((await decode(high, 'windows-1252')).text).toBe(high.toString('latin1'));
  });

  it('Windows-1252: an unassigned byte is reported once with its line, column and value', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a;b\r\nc;d'),
      Buffer.from([0x81, 0x8d]),
      Buffer.from('\r\n'),
    ]);
    const { text, invalid } = await decode(bytes, 'windows-1252', 3);
    expect(invalid).toEqual([{ line: 2, column: 4, byte: 0x81 }]);
    expect(text).toBe('a;b\r\nc;d\uFFFD\uFFFD\r\n');
  });

  it('Latin-1: the C1 control bytes are refused (such a file is Windows-1252), the rest is read', async () => {
    expect((await decode(Buffer.from([0x52, 0xe9, 0x6d, 0x79]), 'latin1')).text).toBe('Rémy');
    const { invalid } = await decode(Buffer.from([0x4c, 0x92, 0x48]), 'latin1');
    expect(invalid).toEqual([{ line: 1, column: 2, byte: 0x92 }]);
  });

  it('encodes back to the same bytes in each encoding', () => {
    const assigned = C1.flatMap((char, offset) => (char ? [[char, 0x80 + offset] as const] : []));
    const text = `L’Hôte ${assigned.map(([char]) => char).join('')}`;
    const bytes = encodeText(text, 'windows-1252');
    expect([...bytes.subarray(7)]).toEqual(assigned.map(([, byte]) => byte));
    expect(bytes.subarray(0, 7)).toEqual(Buffer.from([0x4c, 0x92, 0x48, 0xf4, 0x74, 0x65, 0x20]));
    expect(encodeText('Rémy', 'latin1')).toEqual(Buffer.from([0x52, 0xe9, 0x6d, 0x79]));
    expect(encodeText('Rémy’', 'utf8').toString('utf8')).toBe('Rémy’');
  });

  it('detects Windows-1252 only where the bytes are unambiguous', async () => {
    const detect = (...parts: (string | number[])[]) =>
      detectEncoding(Readable.from(parts.map((part) => Buffer.from(part as never, 'latin1'))));
    // Not UTF-8, and 0x92 is ’ in Windows-1252 (a control character in Latin-1).
    const cp1252 = await detect('Identifiant;Nom\r\nc-1;L', [0x92, 0x48, 0xf4], 'te\r\n');
    expect(cp1252.encoding).toBe('windows-1252');
    expect(cp1252.reason).toContain('0x92');
    // Valid UTF-8 stays UTF-8, even split across chunks.
    const utf8 = Buffer.from('Prénom’', 'utf8');
    expect(
      (await detectEncoding(Readable.from([utf8.subarray(0, 3), utf8.subarray(3)]))).encoding,
    ).toBe('utf8');
    // Invalid UTF-8 without bytes 0x80–0x9F (Latin-1? Windows-1252? another code page?), or
    // with a byte Windows-1252 leaves unassigned: not guessed.
    expect((await detect('Ren', [0xe9], 'e')).encoding).toBe('utf8');
    expect((await detect('Ren', [0xe9, 0x92, 0x81], 'e')).encoding).toBe('utf8');
  });
});
