/** One top-level element of a JSON array, with the place in the file where it starts. */
export interface JsonArrayElement {
  text: string;
  /** 1-based position in the array. */
  index: number;
  /** Line and column (1-based) of the element's first character. */
  line: number;
  column: number;
}

/** The array's shape is wrong at a place in the file (never quoting its text). */
export class JsonShapeError extends Error {
  override readonly name = 'JsonShapeError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * Splits a JSON array read in chunks into the text of each top-level element, keeping memory
 * bounded by the largest element rather than by the file: an element longer than
 * `maxElementLength` characters is refused as soon as it gets there.
 */
export async function* jsonArrayElements(
  chunks: AsyncIterable<string>,
  maxElementLength = Number.POSITIVE_INFINITY,
): AsyncGenerator<JsonArrayElement> {
  let state: 'before' | 'inside' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let index = 0;
  let line = 1;
  let column = 0;
  let startLine = 0;
  let startColumn = 0;
  const fail = (message: string) => new JsonShapeError(message, line, column);

  for await (const chunk of chunks) {
    let start = 0;
    for (let position = 0; position < chunk.length; position += 1) {
      const char = chunk[position] as string;
      if (char === '\n') {
        line += 1;
        column = 0;
      } else {
        column += 1;
      }
      if (state === 'before') {
        if (char === '[') {
          state = 'inside';
          start = position + 1;
        } else if (!/\s/.test(char) && char !== '\uFEFF') {
          throw fail('expected a JSON array');
        }
        continue;
      }
      if (state === 'after') {
        if (!/\s/.test(char)) throw fail('unexpected text after the JSON array');
        continue;
      }
      if (startLine === 0 && !/\s/.test(char)) {
        startLine = line;
        startColumn = column;
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
          yield { text, index, line: startLine, column: startColumn };
        } else if (char === ',') {
          throw fail(`empty element after item ${index}`);
        }
        startLine = 0;
        if (char === ']') state = 'after';
      }
    }
    if (state === 'inside') {
      element += chunk.slice(start);
      if (element.length > maxElementLength) {
        throw new JsonShapeError(
          `item ${index + 1} is longer than ${maxElementLength} characters`,
          startLine,
          startColumn,
        );
      }
    }
  }
  if ((state as string) !== 'after') throw fail('the JSON array is not closed');
}
