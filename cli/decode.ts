/** The text encodings an input file may be read in. */
export type TextEncoding = 'utf8' | 'latin1';

/** Where the first byte that is not UTF-8 sits: line and byte within the line, from 1. */
export interface InvalidBytes {
  line: number;
  column: number;
}

/**
 * Decodes a file's bytes as they stream in. Latin-1 maps every byte; UTF-8 is checked, and the
 * first invalid byte is reported once to `onInvalid` with its place (which may throw to stop);
 * the text goes on with U+FFFD in its place so that a caller can name the field that holds it.
 * A multi-byte character split across two chunks is kept whole.
 */
export async function* decodeText(
  chunks: AsyncIterable<Buffer>,
  encoding: TextEncoding,
  onInvalid: (at: InvalidBytes) => void,
): AsyncGenerator<string> {
  if (encoding === 'latin1') {
    for await (const chunk of chunks) yield chunk.toString('latin1');
    return;
  }
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
  let line = 1;
  let column = 0;
  let reported = false;

  const decode = (bytes: Buffer): string => {
    if (!reported) {
      try {
        const text = strict.decode(bytes);
        advance(bytes);
        return text;
      } catch {
        reported = true;
        const offset = firstInvalidOffset(bytes);
        advance(bytes.subarray(0, offset));
        onInvalid({ line, column: column + 1 });
      }
    }
    return lenient.decode(bytes);
  };
  const advance = (bytes: Buffer) => {
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
