/** Styles for one output stream: real colours on a terminal, plain text everywhere else. */
export interface Colours {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/**
 * Colour only when the stream is a terminal and the user did not opt out: `NO_COLOR` (any
 * non-empty value, see no-color.org) or `TERM=dumb` turn it off; `FORCE_COLOR` (not `0`) turns it
 * on even in a pipe. A file, a pipe or a CI log therefore never receives escape codes by default.
 */
export function coloursFor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): Colours {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0';
  const enabled = !env.NO_COLOR && (forced || (stream.isTTY === true && env.TERM !== 'dumb'));
  const style = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
    dim: style(2, 22),
    bold: style(1, 22),
  };
}
