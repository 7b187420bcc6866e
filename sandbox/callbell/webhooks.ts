import { randomBytes } from 'node:crypto';
import {
  type SignatureCheck,
  signCallbellPayload,
  verifyCallbellSignature,
} from '../../providers/callbell/webhook-signature.js';
import type { EmulatorRequest, EmulatorResponse, ProviderEmulator } from '../emulator.js';

export interface CallbellWebhookDeliveryOptions {
  /** Where events are POSTed (your endpoint, e.g. `http://127.0.0.1:3000/hooks/callbell`). */
  url: string;
  /** The signing secret. Default: a new `whsec_…` (read it from `sandbox.webhook.secret`). */
  secret?: string;
  /** Deliveries per event before giving up (Callbell retries a non-2xx). Default 5. */
  attempts?: number;
  /** Share of events first delivered tampered (one body byte changed), then intact. Default 0. */
  tamperRate?: number;
  /** Draws for `tamperRate` (the sandbox's seeded generator). */
  random?: () => number;
}

/** One event and every attempt to deliver it. */
export interface CallbellDelivery {
  /** The Callbell event name. */
  event: 'contact_created' | 'contact_updated' | 'contact_deleted';
  /** The emulated contact's uuid. */
  id: string;
  /** Every delivery attempt, oldest first. */
  attempts: {
    /** Your endpoint's HTTP status, or `'error'` when no answer came (refused, 10 s timeout). */
    status: number | 'error';
    /** This attempt's body had one byte changed (its signature no longer matches). */
    tampered: boolean;
    /** The signature's timestamp, in Unix seconds. */
    t: number;
    /**
     * What `callbellWebhook`'s check says of the body and signature as sent: `ok`, or the reason
     * it refuses them (`mismatch` for a tampered body).
     */
    signature: 'ok' | Extract<SignatureCheck, { ok: false }>['reason'];
  }[];
  /** An attempt got a 2xx answer. */
  delivered: boolean;
}

/** The sandbox's Callbell webhook sender (`sandbox.webhook`, with the `webhook` option). */
export interface CallbellWebhookDeliverer {
  /** Where events are POSTed. */
  readonly url: string;
  /** The `whsec_…` secret every delivery is signed with: give it to `callbellWebhook`. */
  readonly secret: string;
  /** Every event so far, in order, with its attempts. */
  readonly deliveries: readonly CallbellDelivery[];
  /** Resolves once every event so far has been delivered or given up on. */
  settled(): Promise<void>;
  /** The emulator, with its contact writes turned into deliveries. */
  wrap(emulator: ProviderEmulator): ProviderEmulator;
}

/**
 * Delivers Callbell's contact events from the sandbox as Callbell would: `{ event, payload }`,
 * signed with `X-Callbell-Signature`, in order, each retried with a new `t` until a 2xx answer.
 */
export function createCallbellWebhookDeliverer(
  options: CallbellWebhookDeliveryOptions,
): CallbellWebhookDeliverer {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('the webhook URL must be http:// or https://');
  }
  const secret = options.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
  const attempts = options.attempts ?? 5;
  const random = options.random ?? Math.random;
  const deliveries: CallbellDelivery[] = [];
  let queue: Promise<void> = Promise.resolve();

  async function deliver(record: CallbellDelivery, payload: unknown): Promise<void> {
    const body = JSON.stringify({ event: record.event, payload });
    const tamperFirst = random() < (options.tamperRate ?? 0);
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const t = Math.floor(Date.now() / 1000);
      const tampered = tamperFirst && attempt === 0;
      const sent = tampered ? tamper(body) : body;
      const header = signCallbellPayload(secret, body, t);
      const status = await post(sent, header);
      const check = verifyCallbellSignature(header, Buffer.from(sent), [secret], t);
      record.attempts.push({ status, tampered, t, signature: check.ok ? 'ok' : check.reason });
      if (typeof status === 'number' && status >= 200 && status < 300) {
        record.delivered = true;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }

  async function post(body: string, signature: string): Promise<number | 'error'> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json', 'x-callbell-signature': signature },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.body?.cancel();
      return response.status;
    } catch {
      return 'error';
    }
  }

  function enqueue(event: CallbellDelivery['event'], id: string, payload: unknown) {
    const record: CallbellDelivery = { event, id, attempts: [], delivered: false };
    deliveries.push(record);
    queue = queue.then(() => deliver(record, payload));
  }

  /** The event a successful contact write of the emulated API means, if any. */
  function observe(request: EmulatorRequest, response: EmulatorResponse): void {
    if (response.status < 200 || response.status >= 300) return;
    const [root, id, extra] = request.path.split('/').filter(Boolean);
    if (root !== 'contacts' || extra !== undefined) return;
    if (request.method === 'DELETE' && id) {
      enqueue('contact_deleted', id, { uuid: id, deleted: new Date().toISOString() });
      return;
    }
    const event =
      request.method === 'POST' && !id
        ? 'contact_created'
        : request.method === 'PATCH' && id
          ? 'contact_updated'
          : undefined;
    const body = response.body as { contact?: unknown } | undefined;
    const contact = Array.isArray(body?.contact) ? body.contact[0] : body?.contact;
    const uuid = (contact as { uuid?: unknown } | undefined)?.uuid;
    if (event && typeof uuid === 'string') enqueue(event, uuid, contact);
  }

  return {
    url: url.toString(),
    secret,
    deliveries,
    settled: () => queue,
    wrap: (emulator) => ({
      ...emulator,
      handle(request) {
        const response = emulator.handle(request);
        observe(request, response);
        return response;
      },
      contacts: () => emulator.contacts(),
      reset: () => emulator.reset(),
    }),
  };
}

/** The body with one byte changed: what a tampering proxy would forward. */
function tamper(body: string): string {
  const index = Math.floor(body.length / 2);
  const code = body.charCodeAt(index);
  return (
    body.slice(0, index) + String.fromCharCode(code === 0x61 ? 0x62 : 0x61) + body.slice(index + 1)
  );
}
