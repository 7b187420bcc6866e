/**
 * Where a JSON text stops being valid, as a line and column (1-based), without quoting it.
 * `JSON.parse` messages quote the text around the error (`Unexpected token 'k', ..."apiKey": k+y"...`),
 * which may be a secret or a phone number: the command line names the place instead.
 */
export function jsonErrorPosition(text: string): { line: number; column: number } {
  const offset = firstErrorOffset(text);
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (text.charCodeAt(index) === 10) {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters.
const STRING_CHAR = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

/** The offset of the first character that makes `text` invalid JSON (its length if it ends early). */
function firstErrorOffset(text: string): number {
  let position = 0;
  const fail = (): never => {
    throw position;
  };
  const space = () => {
    while (/[ \t\n\r\uFEFF]/.test(text[position] ?? '')) position += 1;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[position] !== char) fail();
      position += 1;
    }
  };
  const string = () => {
    if (text[position] !== '"') fail();
    position += 1;
    STRING_CHAR.lastIndex = position;
    STRING_CHAR.exec(text);
    position = STRING_CHAR.lastIndex;
    if (text[position] !== '"') fail();
    position += 1;
  };
  const list = (close: string, item: () => void) => {
    position += 1;
    space();
    if (text[position] === close) {
      position += 1;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[position] === close) {
        position += 1;
        return;
      }
      if (text[position] !== ',') fail();
      position += 1;
      space();
    }
  };
  const value = (): void => {
    space();
    const char = text[position];
    if (char === '{') {
      list('}', () => {
        string();
        space();
        if (text[position] !== ':') fail();
        position += 1;
        value();
      });
    } else if (char === '[') list(']', value);
    else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else {
      NUMBER.lastIndex = position;
      if (!NUMBER.test(text)) fail();
      position = NUMBER.lastIndex;
    }
  };
  try {
    value();
    space();
    if (position < text.length) fail();
    return text.length;
  } catch (offset) {
    // Nesting deeper than the stack: the place where it gave up is as good as any.
    if (offset instanceof RangeError) return position;
    if (typeof offset !== 'number') throw offset;
    return offset;
  }
}
