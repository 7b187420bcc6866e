import * as v from 'valibot';
import type { Hooks } from './options.js';

/** One level of a logger: pino's `(object, message)` form (console's methods fit it too). */
export type LogMethod = (object: Record<string, unknown>, message?: string) => void;

/**
 * A pino-compatible logger (pino, its children, or anything with these methods). The library logs
 * no phone number, API key, token or body: only vendor, operation, route (ids elided), status,
 * attempt, error code and your record keys.
 */
export interface Logger {
  /** Each request and answer (vendor, operation, route, status, attempt). Optional. */
  debug?: LogMethod | undefined;
  /** Informational lines. Optional. */
  info?: LogMethod | undefined;
  /** Retries, 5xx answers and other trouble the call survived. Optional. */
  warn?: LogMethod | undefined;
  /** Failures (e.g. a worker's own errors). Optional. */
  error?: LogMethod | undefined;
}

const isLogger = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  (['debug', 'info', 'warn', 'error'] as const).some(
    (level) => typeof (value as Logger)[level] === 'function',
  );

/** The `logger` option's schema: an object with at least one of debug, info, warn, error. */
export const loggerSchema = v.custom<Logger>(
  isLogger,
  'expected a logger with debug, info, warn or error (pino, say)',
);

/** Calls one level of `logger`; a logger that throws never changes the outcome of a call. */
export function log(
  logger: Logger | undefined,
  level: keyof Logger,
  object: Record<string, unknown>,
  message: string,
): void {
  const method = logger?.[level];
  if (!method) return;
  try {
    method.call(logger, object, message);
  } catch {
    // A broken logger must not break a sync.
  }
}

/**
 * A store's hooks with its logger added: each request and answer at `debug`, each retry at
 * `warn`, an answer of 5xx at `warn` too. The events carry no phone, key, id or secret.
 */
export function withLoggerHooks(
  hooks: Hooks | undefined,
  logger: Logger | undefined,
): Hooks | undefined {
  if (!logger) return hooks;
  return {
    onRequest(event) {
      hooks?.onRequest?.(event);
      log(logger, 'debug', { ...event }, 'contact-sync request');
    },
    onResponse(event) {
      hooks?.onResponse?.(event);
      log(logger, event.status >= 500 ? 'warn' : 'debug', { ...event }, 'contact-sync response');
    },
    onRetry(event) {
      hooks?.onRetry?.(event);
      log(logger, 'warn', { ...event }, 'contact-sync retry');
    },
  };
}
