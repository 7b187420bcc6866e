import { describe, expect, it, vi } from 'vitest';
import { coloursFor } from '../../cli/colour.js';
import { createProgress, createRateMeter, formatDuration } from '../../cli/progress.js';

/** A stream that records what is written; a terminal when `isTTY`. */
function sink(isTTY: boolean) {
  let text = '';
  const stream = {
    isTTY,
    write(chunk: string) {
      text += chunk;
      return true;
    },
  } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { stream, text: () => text };
}

describe('formatDuration', () => {
  it('never prints 60 seconds or 60 minutes', () => {
    expect(formatDuration(2399.6)).toBe('40m00s');
    expect(formatDuration(59.6)).toBe('1m00s');
    expect(formatDuration(3599.7)).toBe('1h00m');
    for (let seconds = 0; seconds < 20_000; seconds += 0.37) {
      expect(formatDuration(seconds)).not.toMatch(/(^|\D)60[sm]/);
    }
  });

  it('reads 45s, 3m05s and 6h05m, and ? for an unknown duration', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(6 * 3600 + 5 * 60)).toBe('6h05m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });
});

describe('the rate behind the ETA', () => {
  it('starts from the average since the start, not from zero', () => {
    const meter = createRateMeter(0);
    meter.sample(2000, 0); // two seconds before the first answers (a login, the first requests)
    meter.sample(4000, 20);
    const early = meter.perSecond() as number;
    expect(early).toBeCloseTo(5, 0); // 20 records in 4 seconds
  });

  it('settles: a burst or a stall moves the ETA a little, not by hours', () => {
    const meter = createRateMeter(0);
    let time = 0;
    let count = 0;
    // 10 records a second for two minutes, arriving in bursts of 20 every two seconds.
    for (; time < 120_000; time += 2000) {
      count += 20;
      meter.sample(time + 2000, count);
    }
    const steady = meter.secondsLeft(10_000) as number;
    expect(steady).toBeGreaterThan(900);
    expect(steady).toBeLessThan(1100);
    // A 4-second stall (a vendor's 429 with Retry-After), then the same pace again.
    meter.sample(time + 4000, count);
    const afterStall = meter.secondsLeft(10_000) as number;
    expect(afterStall / steady).toBeLessThan(1.3);
    // A burst of 40 answers at once (four seconds' worth, released together after the stall).
    meter.sample(time + 4500, count + 40);
    const afterBurst = meter.secondsLeft(10_000) as number;
    expect(afterBurst / steady).toBeGreaterThan(0.8);
  });
});

describe('createProgress', () => {
  it('writes a plain line every interval when stderr is not a terminal', () => {
    vi.useFakeTimers();
    try {
      let clock = 0;
      const out = sink(false);
      const progress = createProgress({
        stream: out.stream,
        total: 400,
        lineEverySeconds: 5,
        now: () => clock,
      });
      expect(out.text()).toBe(''); // nothing before the first interval
      for (let second = 1; second <= 10; second += 1) {
        clock = second * 1000;
        progress.increment(4);
        vi.advanceTimersByTime(1000);
      }
      progress.stop();
      vi.advanceTimersByTime(20_000); // stopped: no more lines
      const lines = out.text().trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe('pushing: 20/400 records (5%), 4.0/s, about 1m35s left');
      expect(lines[1]).toMatch(/^pushing: 40\/400 records \(10%\), 4\.0\/s, about 1m30s left$/);
      expect(out.text()).not.toContain('\u001b');
    } finally {
      vi.useRealTimers();
    }
  });

  it('draws a bar on a terminal, in colour unless NO_COLOR is set', () => {
    for (const [env, coloured] of [
      [{}, true],
      [{ NO_COLOR: '1' }, false],
      [{ TERM: 'dumb' }, false],
    ] as const) {
      const out = sink(true);
      const progress = createProgress({ stream: out.stream, total: 10, env, now: () => 0 });
      progress.increment(5);
      progress.stop();
      expect(out.text()).toContain('] 5/10 records  estimating…');
      expect(out.text().endsWith('\n')).toBe(true);
      const styled = out.text().includes('\u001b[36m') || out.text().includes('\u001b[2m');
      expect(styled, JSON.stringify(env)).toBe(coloured);
    }
  });

  it('writes nothing with --no-progress', () => {
    const out = sink(true);
    const progress = createProgress({ stream: out.stream, total: 10, enabled: false });
    progress.increment();
    progress.stop();
    expect(out.text()).toBe('');
  });
});

describe('coloursFor', () => {
  it('colours a terminal only, honours NO_COLOR, and FORCE_COLOR in a pipe', () => {
    expect(coloursFor({ isTTY: true }, {}).enabled).toBe(true);
    expect(coloursFor({ isTTY: false }, {}).enabled).toBe(false);
    expect(coloursFor({}, {}).enabled).toBe(false);
    expect(coloursFor({ isTTY: true }, { NO_COLOR: '1' }).enabled).toBe(false);
    expect(coloursFor({ isTTY: true }, { NO_COLOR: '' }).enabled).toBe(true);
    expect(coloursFor({ isTTY: false }, { FORCE_COLOR: '1' }).enabled).toBe(true);
    expect(coloursFor({ isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1' }).enabled).toBe(false);
    expect(coloursFor({ isTTY: true }, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(coloursFor({ isTTY: false }, {}).red('x')).toBe('x');
  });
});
