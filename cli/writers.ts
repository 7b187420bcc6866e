import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { encodeText, type TextEncoding } from './decode.js';
import type { CsvLayout, InputFormat } from './input.js';

/** An append-only text file that waits when the disk is slower than the push. */
export interface LineWriter {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** An output file (--report, --rejects) that cannot be written (exit status 2, nothing sent). */
export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
}

/**
 * Opens the file before anything is sent, so a bad path stops the push rather than ending it.
 * The text is written in `encoding` (default UTF-8).
 */
export async function lineWriter(
  path: string,
  flag: string,
  encoding: TextEncoding = 'utf8',
): Promise<LineWriter> {
  const stream: WriteStream = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  try {
    await Promise.race([once(stream, 'open'), failed]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new OutputFileError(`${flag} ${path}: cannot be written (${code})`);
  }
  return {
    async write(text) {
      if (!stream.write(encodeText(text, encoding))) {
        await Promise.race([once(stream, 'drain'), failed]);
      }
    },
    async close() {
      await Promise.race([new Promise<void>((resolve) => stream.end(resolve)), failed]);
    },
  };
}

/**
 * Writes failed rows back in the input's own format, encoding, separator (each row is written as
 * it was read) and line ends, header and byte-order mark included, so that the file can be pushed
 * again with the same flags.
 */
export async function rejectsWriter(
  path: string,
  format: InputFormat,
  encoding: TextEncoding,
  layout?: CsvLayout,
): Promise<LineWriter> {
  const out = await lineWriter(path, '--rejects', encoding);
  const end = layout?.lineEnd ?? '\n';
  const header = layout ? `${layout.bom ? '\uFEFF' : ''}${layout.header}${end}` : '';
  let count = 0;
  return {
    async write(source) {
      if (count === 0) {
        if (format === 'csv') await out.write(header);
        if (format === 'json') await out.write('[\n');
      } else if (format === 'json') {
        await out.write(',\n');
      }
      count += 1;
      await out.write(format === 'json' ? source : `${source}${end}`);
    },
    async close() {
      if (format === 'json') await out.write(count ? '\n]\n' : '[]\n');
      else if (format === 'csv' && count === 0) await out.write(header);
      await out.close();
    },
  };
}
