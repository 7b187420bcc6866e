import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import type { ContactEvent } from '../../src/contact-event.js';
import { parseOptions, secretSchema } from '../../src/options.js';
import { CallbellContactSchema } from './api.js';
import { fromCallbellContact } from './mappers.js';
import { SIGNATURE_TOLERANCE_SECONDS, verifyCallbellSignature } from './webhook-signature.js';

/** The part of a link store the webhook reads: the key linked to a vendor's contact id. */
export interface KeyFinder {
  /** Your key linked to the vendor's contact `id` at `provider`, or `undefined` when none is. */
  findKey(provider: string, id: string): Promise<string | undefined>;
}

/** An event Callbell delivered that is not about a contact, answered 200 and not passed on. */
export interface IgnoredCallbellEvent {
  /** The event's name (`message_created`, …), or `''` when the body named none. */
  event: string;
  /** Why it was ignored: its event type is not a contact event. */
  reason: 'event_type';
}

/** Options of {@link callbellWebhook}. */
export interface CallbellWebhookOptions {
  /**
   * The webhook's signing secret (`whsec_…`, from Callbell's dashboard → API Settings → Webhooks),
   * or several during a rotation (Callbell's previous secret stops working at once). Required.
   */
  secret: string | readonly string[];
  /** Called once per verified contact event; a throw (or rejection) answers 500 so Callbell delivers again. */
  onEvent(event: ContactEvent): void | Promise<void>;
  /** Where each event's key comes from (`findKey('callbell', uuid)`). Default: no key on events. */
  links?: KeyFinder;
  /** Called for verified events that are not contact events (answered 200). Default: none. */
  onIgnored?(event: IgnoredCallbellEvent): void;
  /** The store's `fieldMap`, so custom fields read back under your names. Default: identity. */
  fieldMap?: Record<string, string>;
  /** The largest body read, in bytes; a larger one is answered 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Seconds a signature's `t` may be from now. Default 300 (Callbell's documented tolerance). */
  toleranceSeconds?: number;
  /** The clock, in ms since the epoch (tests). Default `Date.now`. */
  now?: () => number;
}

/** A Fetch-API handler (Hono, Next, Bun, Deno) with a `node(req, res)` adapter for `node:http` and Express. */
export interface CallbellWebhookHandler {
  (request: Request): Promise<Response>;
  /** For `node:http` and Express: mount it before any body parser (it needs the raw bytes). */
  node(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

const functionSchema = v.custom<(...args: never[]) => unknown>(
  (value) => typeof value === 'function',
  'expected a function',
);

const OptionsSchema = v.strictObject({
  secret: v.union(
    [secretSchema, v.pipe(v.array(secretSchema), v.minLength(1, 'at least one secret'))],
    'expected the whsec_… secret (a string) or a list of them',
  ),
  onEvent: functionSchema,
  onIgnored: v.optional(functionSchema),
  links: v.optional(
    v.custom<KeyFinder>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { findKey?: unknown }).findKey === 'function',
      'expected a link store with findKey()',
    ),
  ),
  fieldMap: v.optional(v.record(v.string(), v.string())),
  maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64 << 20))),
  toleranceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600))),
  now: v.optional(functionSchema),
});

const EnvelopeSchema = v.object({
  event: v.optional(v.string()),
  payload: v.optional(v.unknown()),
});
const DeletedSchema = v.object({
  uuid: v.pipe(v.string(), v.minLength(1)),
  deleted: v.nullish(v.string()),
});

const CONTACT_EVENTS: Record<string, ContactEvent['type']> = {
  contact_created: 'created',
  contact_updated: 'updated',
  contact_deleted: 'deleted',
};

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

type BodyReader = (limit: number) => Promise<Uint8Array | 'too_large'>;

/**
 * Receives Callbell's contact webhooks: verifies `X-Callbell-Signature` (HMAC-SHA256 of
 * `<t>.<raw body>`, 5-minute tolerance, constant-time), answers 401 to anything unsigned, tampered
 * or stale without calling `onEvent`, and turns `contact_created`/`updated`/`deleted` into
 * `ContactEvent`s. Throws `invalid_config` naming the option when options are wrong.
 */
export function callbellWebhook(options: CallbellWebhookOptions): CallbellWebhookHandler {
  const parsed = parseOptions(OptionsSchema, options, 'callbell') as CallbellWebhookOptions;
  const secrets = typeof parsed.secret === 'string' ? [parsed.secret] : [...parsed.secret];
  const maxBytes = parsed.maxBodyBytes ?? 1 << 20;
  const tolerance = parsed.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const now = parsed.now ?? Date.now;

  async function answer(
    method: string,
    signature: string | null,
    read: BodyReader,
  ): Promise<Answer> {
    if (method !== 'POST') return { status: 405, body: { error: 'method not allowed' } };
    const raw = await read(maxBytes);
    if (raw === 'too_large') return { status: 413, body: { error: 'body too large' } };
    const check = verifyCallbellSignature(
      signature,
      raw,
      secrets,
      Math.floor(now() / 1000),
      tolerance,
    );
    if (!check.ok) return { status: 401, body: { error: `signature ${check.reason}` } };
    let envelope: v.InferOutput<typeof EnvelopeSchema>;
    try {
      envelope = v.parse(EnvelopeSchema, JSON.parse(Buffer.from(raw).toString('utf8')));
    } catch {
      return { status: 400, body: { error: 'expected a JSON object' } };
    }
    // Callbell's periodic connection check carries no event: it wants {"status":"ok"}.
    if (envelope.event === undefined) return { status: 200, body: { status: 'ok' } };
    const type = Object.hasOwn(CONTACT_EVENTS, envelope.event)
      ? CONTACT_EVENTS[envelope.event]
      : undefined;
    if (!type) {
      parsed.onIgnored?.({ event: envelope.event, reason: 'event_type' });
      return { status: 200, body: { status: 'ignored' } };
    }
    const event = toEvent(type, envelope.payload, new Date(check.timestamp * 1000).toISOString());
    if (!event) return { status: 400, body: { error: 'unexpected contact payload' } };
    try {
      const key = await parsed.links?.findKey('callbell', event.id);
      await parsed.onEvent(key === undefined ? event : { ...event, key });
    } catch {
      // Callbell delivers again on anything but 2xx: the event is not lost.
      return { status: 500, body: { error: 'the event could not be handled' } };
    }
    return { status: 200, body: { status: 'received' } };
  }

  function toEvent(
    type: ContactEvent['type'],
    payload: unknown,
    sentAt: string,
  ): ContactEvent | undefined {
    if (type === 'deleted') {
      const deleted = v.safeParse(DeletedSchema, payload);
      if (!deleted.success) return undefined;
      const at = isoOf(deleted.output.deleted) ?? sentAt;
      return { provider: 'callbell', type, id: deleted.output.uuid, at };
    }
    const received = v.safeParse(CallbellContactSchema, payload);
    if (!received.success || !received.output.uuid) return undefined;
    const contact = fromCallbellContact(
      { contact: received.output, raw: payload },
      parsed.fieldMap ?? {},
    );
    const at = (type === 'created' ? isoOf(received.output.createdAt) : undefined) ?? sentAt;
    return {
      provider: 'callbell',
      type,
      id: received.output.uuid,
      at,
      ...(contact ? { contact } : {}),
    };
  }

  const handler = (async (request: Request) => {
    const result = await answer(
      request.method,
      request.headers.get('x-callbell-signature'),
      (limit) => readFetchBody(request, limit),
    );
    return Response.json(result.body, { status: result.status });
  }) as CallbellWebhookHandler;

  handler.node = async (request, response) => {
    const header = request.headers['x-callbell-signature'];
    const result = await answer(
      request.method ?? '',
      Array.isArray(header) ? header.join(',') : (header ?? null),
      (limit) => readNodeBody(request, limit),
    ).catch((): Answer => ({ status: 400, body: { error: 'the body could not be read' } }));
    response.statusCode = result.status;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(result.body));
  };
  return handler;
}

function isoOf(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

async function readFetchBody(request: Request, limit: number): Promise<Uint8Array | 'too_large'> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return 'too_large';
  if (!request.body) return new Uint8Array();
  return collect(request.body, limit);
}

/** The raw bytes of a Node request, or of a body an Express raw/text parser already read. */
async function readNodeBody(
  request: IncomingMessage & { body?: unknown },
  limit: number,
): Promise<Uint8Array | 'too_large'> {
  const parsed = request.body;
  if (parsed instanceof Uint8Array || typeof parsed === 'string') {
    const bytes = typeof parsed === 'string' ? Buffer.from(parsed, 'utf8') : parsed;
    return bytes.byteLength > limit ? 'too_large' : bytes;
  }
  if (Number(request.headers['content-length'] ?? 0) > limit) return 'too_large';
  return collect(request, limit);
}

async function collect(
  stream: AsyncIterable<Uint8Array | string>,
  limit: number,
): Promise<Uint8Array | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += bytes.byteLength;
    if (size > limit) return 'too_large';
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
