import { PassThrough } from 'node:stream';

/** A writable stream for a command's `out`/`err`, and everything written to it so far. */
export function capturedStream(): { stream: PassThrough; text: () => string } {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream: output, text: () => text };
}
