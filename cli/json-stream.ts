/**
 * Splits a JSON array read in chunks into the text of each top-level element, keeping memory
 * bounded by the largest element rather than by the file.
 */
export async function* jsonArrayElements(
  chunks: AsyncIterable<string>,
): AsyncGenerator<{ text: string; index: number }> {
  let state: 'before' | 'inside' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let index = 0;

  for await (const chunk of chunks) {
    let start = 0;
    for (let position = 0; position < chunk.length; position += 1) {
      const char = chunk[position] as string;
      if (state === 'before') {
        if (char === '[') {
          state = 'inside';
          start = position + 1;
        } else if (!/\s/.test(char) && char !== '\uFEFF') {
          throw new SyntaxError('expected a JSON array');
        }
        continue;
      }
      if (state === 'after') {
        if (!/\s/.test(char)) throw new SyntaxError('unexpected text after the JSON array');
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (char === '\\') escaped = true;
        else if (char === '"') inString = false;
        continue;
      }
      if (char === '"') inString = true;
      else if (char === '{' || char === '[') depth += 1;
      else if ((char === '}' || char === ']') && depth > 0) depth -= 1;
      else if ((char === ',' || char === ']') && depth === 0) {
        element += chunk.slice(start, position);
        start = position + 1;
        const text = element.trim();
        element = '';
        if (text) {
          index += 1;
          yield { text, index };
        } else if (char === ',') {
          throw new SyntaxError(`empty element after item ${index}`);
        }
        if (char === ']') state = 'after';
      }
    }
    if (state === 'inside') element += chunk.slice(start);
  }
  if ((state as string) !== 'after') throw new SyntaxError('the JSON array is not closed');
}
