/** The text encodings an input file may be read in (and `--rejects` written in). */
export type TextEncoding = 'utf8' | 'latin1' | 'windows-1252';

/** Where the first byte that cannot be read sits: line and byte within the line, from 1. */
export interface InvalidBytes {
  line: number;
  column: number;
  /** The byte itself, for a single-byte encoding (where it names what is wrong). */
  byte?: number;
}

/**
 * Windows-1252's characters for the bytes 0x80–0x9F (the rest of the table is Latin-1's).
 * `undefined` marks the five bytes it leaves unassigned (0x81, 0x8D, 0x8F, 0x90, 0x9D).
 * A table, not TextDecoder: on Node 20.20, `new TextDecoder('windows-1252').decode(bytes)`
 * drops these bytes (0x92 `’` vanished), and in streaming mode the unassigned ones.
 */
const WINDOWS_1252_C1: readonly (string | undefined)[] = [
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

/** The byte of each Windows-1252 character above U+00FF (for writing `--rejects` back). */
const WINDOWS_1252_BYTES = new Map<string, number>(
  WINDOWS_1252_C1.flatMap((char, index) => (char ? [[char, 0x80 + index] as const] : [])),
);

/** The name shown for an encoding in messages. */
export function encodingLabel(encoding: TextEncoding): string {
  return encoding === 'utf8' ? 'UTF-8' : encoding === 'latin1' ? 'Latin-1' : 'Windows-1252';
}

/**
 * Decodes a file's bytes as they stream in. UTF-8 is checked; Latin-1 refuses the C1 control
 * bytes 0x80–0x9F (a "Latin-1" file holding them is Windows-1252: `’` would reach the vendors as
 * U+0092); Windows-1252 refuses its five unassigned bytes. The first byte that cannot be read is
 * reported once to `onInvalid` with its place (which may throw to stop); the text goes on with
 * U+FFFD in its place so that a caller can name the field that holds it. A multi-byte character
 * split across two chunks is kept whole.
 */
export async function* decodeText(
  chunks: AsyncIterable<Buffer>,
  encoding: TextEncoding,
  onInvalid: (at: InvalidBytes) => void,
): AsyncGenerator<string> {
  if (encoding !== 'utf8') {
    yield* decodeSingleByte(chunks, encoding, onInvalid);
    return;
  }
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
  const place = lineCounter();
  let reported = false;

  const decode = (bytes: Buffer): string => {
    if (!reported) {
      try {
        const text = strict.decode(bytes);
        place.advance(bytes);
        return text;
      } catch {
        reported = true;
        const offset = firstInvalidOffset(bytes);
        place.advance(bytes.subarray(0, offset));
        onInvalid(place.here());
      }
    }
    return lenient.decode(bytes);
  };

  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const end = completeLength(data);
    carry = data.subarray(end);
    if (end > 0) yield decode(data.subarray(0, end));
  }
  if (carry.length) yield decode(carry);
}

async function* decodeSingleByte(
  chunks: AsyncIterable<Buffer>,
  encoding: 'latin1' | 'windows-1252',
  onInvalid: (at: InvalidBytes) => void,
): AsyncGenerator<string> {
  const place = lineCounter();
  let reported = false;
  for await (const chunk of chunks) {
    let text = '';
    let start = 0;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (byte < 0x80 || byte > 0x9f) continue;
      const char = encoding === 'windows-1252' ? WINDOWS_1252_C1[byte - 0x80] : undefined;
      text += chunk.toString('latin1', start, index);
      start = index + 1;
      if (char === undefined) {
        text += '\uFFFD';
        if (!reported) {
          reported = true;
          place.advance(chunk.subarray(0, index));
          onInvalid({ ...place.here(), byte });
        }
      } else {
        text += char;
      }
    }
    text += chunk.toString('latin1', start);
    if (!reported) place.advance(chunk);
    yield text;
  }
}

/** Counts lines and columns (bytes) over the bytes read so far. */
function lineCounter() {
  let line = 1;
  let column = 0;
  return {
    advance(bytes: Buffer) {
      let newline = bytes.indexOf(10);
      if (newline === -1) {
        column += bytes.length;
        return;
      }
      let last = newline;
      while (newline !== -1) {
        line += 1;
        last = newline;
        newline = bytes.indexOf(10, newline + 1);
      }
      column = bytes.length - last - 1;
    },
    here: (): InvalidBytes => ({ line, column: column + 1 }),
  };
}

/**
 * Text as bytes in `encoding` (for `--rejects`, written as the input was read). Every character
 * came from a file read in that encoding, so each has a byte; one that has none is written `?`.
 */
export function encodeText(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const bytes = Buffer.alloc(text.length);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) bytes[index] = code;
    else if (encoding === 'windows-1252')
      bytes[index] = WINDOWS_1252_BYTES.get(text[index] as string) ?? 0x3f;
    else bytes[index] = 0x3f;
  }
  return bytes;
}

/** What `detectEncoding` found, and why. */
export interface DetectedEncoding {
  encoding: TextEncoding;
  /** Set when the file is not UTF-8 but its bytes read unambiguously as Windows-1252. */
  reason?: string;
}

/**
 * Reads a file's bytes once to choose its encoding when none is given: UTF-8 when they are valid
 * UTF-8; Windows-1252 when they are not, and they hold bytes 0x80–0x9F that are Windows-1252
 * characters (`’`, `€`, `œ`…) and none of its five unassigned bytes: in Latin-1 those bytes would
 * be control characters, so the file is no Latin-1, and as UTF-8 it is invalid. Anything else
 * stays UTF-8, so that the read refuses it naming the place and the `--encoding` to pass.
 */
export async function detectEncoding(chunks: AsyncIterable<Buffer>): Promise<DetectedEncoding> {
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let validUtf8 = true;
  let c1 = 0;
  let unassigned = false;
  let example: string | undefined;
  for await (const chunk of chunks) {
    if (validUtf8) {
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        validUtf8 = false;
      }
    }
    for (const byte of chunk) {
      if (byte < 0x80 || byte > 0x9f) continue;
      const char = WINDOWS_1252_C1[byte - 0x80];
      if (char === undefined) unassigned = true;
      else {
        c1 += 1;
        example ??= char;
      }
    }
  }
  if (validUtf8) {
    try {
      utf8.decode();
    } catch {
      validUtf8 = false;
    }
  }
  if (validUtf8 || unassigned || c1 === 0) return { encoding: 'utf8' };
  const hex = [...(example ?? '')].map(
    (char) => `0x${(WINDOWS_1252_BYTES.get(char) ?? 0).toString(16).toUpperCase()}`,
  );
  return {
    encoding: 'windows-1252',
    reason: `not UTF-8, and its bytes 0x80–0x9F (${c1}, e.g. ${hex[0]} "${example}") are Windows-1252 characters`,
  };
}

/** The length of `data` without a multi-byte character cut off at its end. */
function completeLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? data.length - back : data.length;
  }
  return data.length;
}

/** The offset of the first byte that makes `bytes` invalid UTF-8 (a rare path: a few decodes). */
function firstInvalidOffset(bytes: Buffer): number {
  let valid = 0;
  let invalid = bytes.length;
  // A prefix that decodes (an unfinished character at its end allowed) is valid, and so is every
  // shorter one: the first invalid byte is where that stops.
  while (invalid - valid > 1) {
    const middle = (valid + invalid) >>> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      valid = middle;
    } catch {
      invalid = middle;
    }
  }
  // A character begun just before `valid` and never finished is where the bad bytes start.
  return Math.min(completeLength(bytes.subarray(0, valid)), bytes.length - 1);
}
