import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { ContactStore } from '../contact-store.js';
import { isContactSyncError } from '../errors.js';
import type { Hooks } from '../options.js';

/** The instrumentation scope name of every span and instrument. */
export const INSTRUMENTATION_NAME = 'contact-sync';

/** Options of {@link createContactSyncTelemetry}. */
export interface TelemetryOptions {
  /** Default: `trace.getTracer('contact-sync')` from the registered provider (a no-op without one). */
  tracer?: Tracer;
  /** Default: `metrics.getMeter('contact-sync')` from the registered provider. */
  meter?: Meter;
}

/** What {@link createContactSyncTelemetry} returns: hooks for requests, a wrapper for calls. */
export interface ContactSyncTelemetry {
  /**
   * Pass as a store's `hooks`: one span per HTTP attempt (`contact-sync http POST /contacts`,
   * with provider, operation, route, status and attempt) and the HTTP counters.
   */
  readonly hooks: Required<Hooks>;
  /**
   * Wraps a store's calls in spans (`contact-sync callbell.upsert`), active while the call runs so
   * its HTTP attempts are their children; counts each call by outcome. Returns the same store.
   */
  instrument<T extends ContactStore>(store: T): T;
}

/** Promise-returning members of a store that get a span each. */
const CALLS = [
  'create',
  'update',
  'get',
  'findByPhone',
  'delete',
  'upsert',
  'reconcile',
  'optOut',
  'optIn',
] as const;
/** Members that return an async iterable: one span over the whole iteration. */
const STREAMS = ['list', 'optOuts'] as const;

/**
 * Turns contact-sync's hooks and store calls into OpenTelemetry spans and metrics. Attributes carry
 * no phone number, key, id or secret: routes have their ids elided (`/contacts/…`).
 */
export function createContactSyncTelemetry(options: TelemetryOptions = {}): ContactSyncTelemetry {
  const tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME);
  const meter = options.meter ?? metrics.getMeter(INSTRUMENTATION_NAME);
  const calls: Counter = meter.createCounter('contact_sync.store.calls', {
    description: 'Store calls, by provider, operation and outcome (ok or the error code)',
  });
  const attempts: Counter = meter.createCounter('contact_sync.http.attempts', {
    description: 'HTTP attempts sent to a vendor, by provider, operation and status',
  });
  const retries: Counter = meter.createCounter('contact_sync.http.retries', {
    description: 'Attempts that failed and were retried, by provider, operation and error code',
  });
  const duration: Histogram = meter.createHistogram('contact_sync.http.duration', {
    description: 'Time to a vendor answer, per attempt',
    unit: 'ms',
  });

  const hooks: Required<Hooks> = {
    onRequest: () => {},
    onResponse(event) {
      const attributes: Attributes = {
        'contact_sync.provider': event.provider,
        'contact_sync.operation': event.operation,
        'http.request.method': event.method,
        'url.template': event.route,
        'http.response.status_code': event.status,
        'contact_sync.attempt': event.attempt,
      };
      // The answer is in: the attempt's span is recorded with its real start and end.
      const end = Date.now();
      const span = tracer.startSpan(`contact-sync http ${event.method} ${event.route}`, {
        kind: SpanKind.CLIENT,
        attributes,
        startTime: end - event.durationMs,
      });
      if (event.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(end);
      attempts.add(
        1,
        metricAttributes(event.provider, event.operation, {
          'http.response.status_code': event.status,
        }),
      );
      duration.record(event.durationMs, metricAttributes(event.provider, event.operation));
    },
    onRetry(event) {
      retries.add(
        1,
        metricAttributes(event.provider, event.operation, { 'error.type': event.code }),
      );
      trace.getActiveSpan()?.addEvent('retry', {
        'contact_sync.attempt': event.attempt,
        'error.type': event.code,
        ...(event.status === undefined ? {} : { 'http.response.status_code': event.status }),
      });
    },
  };

  function instrument<T extends ContactStore>(store: T): T {
    const provider = store.provider;
    const target = store as unknown as Record<string, unknown>;
    for (const name of CALLS) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = (...args: unknown[]) =>
        tracer.startActiveSpan(
          `contact-sync ${provider}.${name}`,
          spanOptions(provider, name),
          async (span) => {
            try {
              const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(
                store,
                args,
              );
              if (name === 'upsert' || name === 'reconcile') {
                span.setAttribute('contact_sync.action', (result as { action: string }).action);
              }
              finish(span, provider, name);
              return result;
            } catch (error) {
              finish(span, provider, name, error);
              throw error;
            }
          },
        );
    }
    for (const name of STREAMS) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = (...args: unknown[]) =>
        traced(provider, name, () =>
          (original as (...a: unknown[]) => AsyncIterable<unknown>).apply(store, args),
        );
    }
    return store;
  }

  async function* traced(provider: string, name: string, open: () => AsyncIterable<unknown>) {
    const span = tracer.startSpan(`contact-sync ${provider}.${name}`, spanOptions(provider, name));
    let count = 0;
    try {
      for await (const item of open()) {
        count += 1;
        yield item;
      }
      span.setAttribute('contact_sync.items', count);
      finish(span, provider, name);
    } catch (error) {
      span.setAttribute('contact_sync.items', count);
      finish(span, provider, name, error);
      throw error;
    }
  }

  function finish(span: Span, provider: string, operation: string, error?: unknown): void {
    const outcome = error === undefined ? 'ok' : isContactSyncError(error) ? error.code : 'error';
    if (error !== undefined) {
      span.setAttribute('error.type', outcome);
      // The code and the status only: messages are safe, but a span is no place for a vendor's words.
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    span.end();
    calls.add(1, metricAttributes(provider, operation, { 'contact_sync.outcome': outcome }));
  }

  return { hooks, instrument };
}

function spanOptions(provider: string, operation: string) {
  return {
    kind: SpanKind.INTERNAL,
    attributes: { 'contact_sync.provider': provider, 'contact_sync.operation': operation },
  };
}

function metricAttributes(provider: string, operation: string, extra: Attributes = {}): Attributes {
  return { 'contact_sync.provider': provider, 'contact_sync.operation': operation, ...extra };
}
