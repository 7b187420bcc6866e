import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  type Context,
  type ContextManager,
  context,
  type Meter,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createContactSyncTelemetry } from '../../src/otel/index.js';
import { useStrictNock } from '../support/strict-nock.js';

useStrictNock();

/** A context manager over AsyncLocalStorage, as a Node SDK registers one. */
class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active = () => this.storage.getStore() ?? ROOT_CONTEXT;
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind = <T>(_ctx: Context, target: T) => target;
  enable = () => this;
  disable = () => this;
}

interface RecordedSpan {
  name: string;
  attributes: Attributes;
  parent?: RecordedSpan;
  status?: { code: number; message?: string };
  events: { name: string; attributes?: Attributes }[];
  ended: boolean;
}

function recordingTracer(spans: RecordedSpan[]): Tracer {
  const startSpan = (name: string, options: SpanOptions = {}, ctx?: Context): Span => {
    const parent = (trace.getSpan(ctx ?? context.active()) as unknown as { record?: RecordedSpan })
      ?.record;
    const record: RecordedSpan = {
      name,
      attributes: { ...options.attributes },
      parent,
      events: [],
      ended: false,
    };
    spans.push(record);
    const span: Record<string, unknown> = {
      record,
      spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
      setAttribute(key: string, value: unknown) {
        record.attributes[key] = value as never;
        return span;
      },
      setAttributes(attributes: Attributes) {
        Object.assign(record.attributes, attributes);
        return span;
      },
      addEvent(eventName: string, attributes?: Attributes) {
        record.events.push({ name: eventName, attributes });
        return span;
      },
      setStatus(status: { code: number; message?: string }) {
        record.status = status;
        return span;
      },
      updateName: () => span,
      end: () => {
        record.ended = true;
      },
      isRecording: () => true,
      recordException: () => {},
      addLink: () => span,
      addLinks: () => span,
    };
    return span as unknown as Span;
  };
  return {
    startSpan,
    startActiveSpan: ((name: string, ...rest: unknown[]) => {
      const fn = rest.pop() as (span: Span) => unknown;
      const options = (rest[0] ?? {}) as SpanOptions;
      const span = startSpan(name, options);
      return context.with(trace.setSpan(context.active(), span), fn, undefined, span);
    }) as Tracer['startActiveSpan'],
  };
}

function recordingMeter(points: { name: string; value: number; attributes?: Attributes }[]): Meter {
  const instrument = (name: string) => ({
    add: (value: number, attributes?: Attributes) => points.push({ name, value, attributes }),
    record: (value: number, attributes?: Attributes) => points.push({ name, value, attributes }),
  });
  return { createCounter: instrument, createHistogram: instrument } as unknown as Meter;
}

const TOKEN = 'cb-secret-token-42';
const PHONE = '+33612345678';
const CB = 'https://api.callbell.eu';

beforeAll(() => {
  context.setGlobalContextManager(new TestContextManager());
});
afterAll(() => {
  context.disable();
});

function setup() {
  const spans: RecordedSpan[] = [];
  const points: { name: string; value: number; attributes?: Attributes }[] = [];
  const telemetry = createContactSyncTelemetry({
    tracer: recordingTracer(spans),
    meter: recordingMeter(points),
  });
  const store = telemetry.instrument(
    createCallbellContactStore({
      apiToken: TOKEN,
      hooks: telemetry.hooks,
      retry: { minTimeout: 0, maxTimeout: 0 },
      rateLimit: false,
    }),
  );
  return { spans, points, store };
}

describe('contact-sync/otel', () => {
  it('records a span per store call with its HTTP attempts as children, retries included', async () => {
    const { spans, points, store } = setup();
    nock(CB).get('/v1/contacts/phone/33612345678').query(true).reply(503, {});
    nock(CB)
      .get('/v1/contacts/phone/33612345678')
      .query(true)
      .reply(200, { contact: { uuid: 'u-1', name: 'Ana', phoneNumber: '33612345678' } });

    const found = await store.findByPhone(PHONE);
    expect(found?.id).toBe('u-1');

    const call = spans.find((span) => span.name === 'contact-sync callbell.findByPhone');
    expect(call).toMatchObject({
      ended: true,
      attributes: { 'contact_sync.provider': 'callbell', 'contact_sync.operation': 'findByPhone' },
    });
    const http = spans.filter((span) => span.name.startsWith('contact-sync http'));
    expect(
      http.map((span) => [
        span.attributes['http.response.status_code'],
        span.attributes['contact_sync.attempt'],
      ]),
    ).toEqual([
      [503, 1],
      [200, 2],
    ]);
    expect(http.every((span) => span.parent === call)).toBe(true);
    expect(http[0]?.attributes['url.template']).toBe('/contacts/phone/…');
    expect(call?.events.map((event) => event.name)).toEqual(['retry']);
    expect(points.filter((point) => point.name === 'contact_sync.http.retries')).toHaveLength(1);
    expect(
      points.find((point) => point.name === 'contact_sync.store.calls')?.attributes,
    ).toMatchObject({
      'contact_sync.outcome': 'ok',
    });
  });

  it('marks a failed call with its error code, counted by outcome', async () => {
    const { spans, points, store } = setup();
    nock(CB).delete('/v1/contacts/u-404').reply(404, { error: 'not found' });
    await expect(store.delete('u-404')).rejects.toMatchObject({ code: 'not_found' });
    const call = spans.find((span) => span.name === 'contact-sync callbell.delete');
    expect(call?.status).toEqual({ code: 2, message: 'not_found' });
    expect(call?.attributes['error.type']).toBe('not_found');
    expect(
      points.find((point) => point.name === 'contact_sync.store.calls')?.attributes,
    ).toMatchObject({
      'contact_sync.outcome': 'not_found',
    });
  });

  it('puts no phone number, id value or token in any span or metric', async () => {
    const { spans, points, store } = setup();
    nock(CB)
      .post('/v1/contacts')
      .reply(200, { contact: [{ uuid: 'u-77', name: PHONE, phoneNumber: '33612345678' }] });
    await store.create({ phone: PHONE });
    const text = JSON.stringify({
      spans: spans.map(({ parent: _parent, ...span }) => span),
      points,
    });
    for (const secret of [TOKEN, PHONE, '33612345678', '612345678', 'u-77'])
      expect(text).not.toContain(secret);
  });

  it('spans a whole list iteration and counts its items', async () => {
    const { spans, store } = setup();
    nock(CB)
      .get('/v1/contacts')
      .query(true)
      .reply(200, {
        contacts: [{ uuid: 'a', phoneNumber: '33612345678', name: 'A' }],
        meta: { page: 1, pages: 1 },
      });
    const seen = [];
    for await (const contact of store.list()) seen.push(contact.id);
    expect(seen).toEqual(['a']);
    expect(spans.find((span) => span.name === 'contact-sync callbell.list')).toMatchObject({
      ended: true,
      attributes: { 'contact_sync.items': 1 },
    });
  });
});
