import { type Colours, coloursFor } from './colour.js';

/** How a push reports its progress on stderr. */
export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  total: number;
  env?: Record<string, string | undefined>;
  /** Seconds between two lines when stderr is not a terminal (a pipe, a log file). Default 10. */
  lineEverySeconds?: number;
  /** Off: nothing is written (`--no-progress`). */
  enabled?: boolean;
  /** The clock, in milliseconds; tests pass their own. */
  now?: () => number;
}

export interface Progress {
  increment(count?: number): void;
  /** Writes the last state and ends the bar's line; idempotent. */
  stop(): void;
}

/** The rate is averaged over about this long, so one slow batch does not swing the ETA. */
const RATE_WINDOW_MS = 20_000;
/** No ETA before this much time and this many records: the first rate says little. */
const ETA_AFTER_MS = 2_000;
const ETA_AFTER_RECORDS = 5;
const REDRAW_MS = 100;
const BAR_WIDTH = 30;

/**
 * A progress bar on a terminal (redrawn at most ten times a second), and on anything else a plain
 * line every few seconds, so a piped or logged run shows it is alive (`pushing: 1200/50000
 * records (2%), 38/s, about 21m left`).
 */
export function createProgress(options: ProgressOptions): Progress {
  if (options.enabled === false || options.total <= 0) return { increment() {}, stop() {} };
  const now = options.now ?? (() => performance.now());
  const rate = createRateMeter(now());
  const colours = coloursFor(options.stream, options.env ?? {});
  const tty = options.stream.isTTY === true;
  const started = now();
  let done = 0;
  let stopped = false;
  let lastDraw = Number.NEGATIVE_INFINITY;

  const state = () => ({ done, total: options.total, eta: eta(), perSecond: rate.perSecond() });
  const eta = () =>
    now() - started < ETA_AFTER_MS || done < ETA_AFTER_RECORDS
      ? undefined
      : rate.secondsLeft(options.total - done);
  const draw = () => {
    lastDraw = now();
    options.stream.write(`\r${barLine(state(), colours)}\u001b[K`);
  };
  const timer = tty
    ? undefined
    : setInterval(
        () => {
          rate.sample(now(), done);
          options.stream.write(`${plainLine(state())}\n`);
        },
        Math.max(1, (options.lineEverySeconds ?? 10) * 1000),
      );
  timer?.unref();
  if (tty) draw();

  return {
    increment(count = 1) {
      if (stopped) return;
      done += count;
      rate.sample(now(), done);
      if (tty && now() - lastDraw >= REDRAW_MS) draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (tty) {
        draw();
        options.stream.write('\n');
      }
    },
  };
}

interface ProgressState {
  done: number;
  total: number;
  eta: number | undefined;
  perSecond: number | undefined;
}

function barLine(state: ProgressState, colours: Colours): string {
  const filled = Math.round((state.done / state.total) * BAR_WIDTH);
  const bar = colours.cyan('█'.repeat(filled)) + colours.dim('░'.repeat(BAR_WIDTH - filled));
  const left = state.eta === undefined ? 'estimating…' : `${formatDuration(state.eta)} left`;
  return `pushing [${bar}] ${state.done}/${state.total} records  ${left}`;
}

function plainLine(state: ProgressState): string {
  const percent = Math.floor((state.done / state.total) * 100);
  const parts = [`pushing: ${state.done}/${state.total} records (${percent}%)`];
  if (state.perSecond !== undefined && state.done > 0) {
    parts.push(`${formatRate(state.perSecond)}/s`);
  }
  if (state.eta !== undefined) parts.push(`about ${formatDuration(state.eta)} left`);
  return parts.join(', ');
}

function formatRate(perSecond: number): string {
  return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

/**
 * A rate smoothed exponentially over time (a time constant of RATE_WINDOW_MS), so the ETA moves
 * gently as the rate changes instead of jumping with each batch of answers. The average starts from
 * zero and is divided by the weight gathered so far, so the first seconds give the plain average
 * rate since the start instead of an estimate dragged towards zero.
 */
export function createRateMeter(start: number) {
  let lastTime = start;
  let lastCount = 0;
  let smoothed = 0;
  let weight = 0;
  const estimate = () => (weight > 0 ? smoothed / weight : undefined);
  return {
    sample(time: number, count: number) {
      const elapsed = time - lastTime;
      // Answers arrive in bursts: measure over at least a quarter second.
      if (elapsed < 250) return;
      const instant = ((count - lastCount) / elapsed) * 1000;
      const decay = Math.exp(-elapsed / RATE_WINDOW_MS);
      smoothed = smoothed * decay + (1 - decay) * instant;
      weight = weight * decay + (1 - decay);
      lastTime = time;
      lastCount = count;
    },
    perSecond: estimate,
    secondsLeft(remaining: number): number | undefined {
      const rate = estimate();
      if (rate === undefined || rate <= 0) return undefined;
      return remaining / rate;
    },
  };
}

/**
 * `45s`, `3m05s`, `2h07m`: rounded to the unit shown first, so it never reads `39m60s`; above an
 * hour the seconds are dropped (they would only flicker).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 59.5) return `${Math.round(seconds)}s`;
  if (seconds < 3600 - 0.5) {
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes >= 100 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
