import * as v from 'valibot';
import { setUpAdapter } from '../../src/adapter.js';
import { ContactSyncError } from '../../src/errors.js';
import { commonOptionEntries, parseOptions, secretSchema } from '../../src/options.js';
import { toCallbellError } from './errors.js';
import { callbellProvider } from './store.js';

/** The contact events `callbellWebhook` understands: what a subscription asks for by default. */
export const CALLBELL_CONTACT_EVENTS = [
  'contact_created',
  'contact_updated',
  'contact_deleted',
] as const;

/** Options of {@link subscribeCallbellWebhook}. */
export interface SubscribeCallbellWebhookOptions {
  /** The API token of the account. Required. */
  apiToken: string;
  /** Where Callbell will POST events: an `https://` URL (Callbell refuses localhost). Required. */
  url: string;
  /** Event names. Default: the three contact events. */
  events?: readonly string[];
  /**
   * Callbell keeps **one** webhook per account and cannot tell which URL it holds: subscribing
   * replaces whatever another integration registered. Pass `true` to confirm that this is wanted;
   * without it the call is refused before any request. Default `false`.
   */
  replaceExisting?: boolean;
  /** Default: Callbell's https URL. `http://` only for loopback hosts (the sandbox). */
  baseUrl?: string;
  /** Milliseconds for the one attempt (never retried). Default 10000. */
  timeout?: number;
  /** The fetch implementation. Default: the global one. */
  fetch?: typeof fetch;
}

/** The webhook Callbell now holds, as it answered the subscription. */
export interface CallbellWebhookSubscription {
  /** The URL Callbell will POST events to. */
  url: string;
  /** The events subscribed to (`[]` when Callbell's answer named none). */
  events: string[];
  /** Whether the webhook is active (true when Callbell's answer does not say). */
  enabled: boolean;
  /** When it was registered, as Callbell wrote it; absent when it did not say. */
  createdAt?: string;
}

const OptionsSchema = v.strictObject({
  apiToken: secretSchema,
  url: v.pipe(
    v.string(),
    v.check((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' && !/^(localhost|127\.|\[::1\])/.test(url.hostname);
      } catch {
        return false;
      }
    }, 'expected an https:// URL that Callbell can reach (not localhost)'),
  ),
  events: v.optional(v.pipe(v.array(v.pipe(v.string(), v.regex(/^[a-z_]+$/))), v.minLength(1))),
  replaceExisting: v.optional(v.boolean()),
  baseUrl: commonOptionEntries.baseUrl,
  timeout: commonOptionEntries.timeout,
  fetch: commonOptionEntries.fetch,
});

const AnswerSchema = v.object({
  webhook: v.object({
    url: v.string(),
    subscriptions: v.nullish(v.array(v.string())),
    enabled: v.nullish(v.boolean()),
    createdAt: v.nullish(v.string()),
  }),
});

/**
 * Registers the account's one webhook (`POST /webhooks/subscribe`) for the contact events, after
 * the caller confirmed with `replaceExisting: true` that another integration's URL may be
 * replaced. Never retried: it is a one-off administrative call.
 */
export async function subscribeCallbellWebhook(
  options: SubscribeCallbellWebhookOptions,
): Promise<CallbellWebhookSubscription> {
  const parsed = parseOptions(OptionsSchema, options, 'callbell');
  if (parsed.replaceExisting !== true) {
    throw new ContactSyncError({
      code: 'invalid_config',
      provider: 'callbell',
      issues: [
        {
          path: 'replaceExisting',
          message:
            'Callbell keeps one webhook per account and cannot say whose it is: pass true to replace it',
        },
      ],
    });
  }
  const { http } = setUpAdapter({ ...parsed, retry: false }, callbellProvider, {
    secrets: () => [parsed.apiToken],
    headers: { authorization: `Bearer ${parsed.apiToken}` },
  });
  const spec = {
    operation: 'subscribeWebhook',
    method: 'POST' as const,
    path: 'webhooks/subscribe',
    route: '/webhooks/subscribe',
    json: { url: parsed.url, subscriptions: [...(parsed.events ?? CALLBELL_CONTACT_EVENTS)] },
  };
  return http.request(spec, (response) => {
    if (response.status < 200 || response.status >= 300)
      throw toCallbellError(http, response, spec);
    const answer = v.safeParse(AnswerSchema, response.body);
    if (!answer.success) {
      throw new ContactSyncError({
        code: 'invalid_response',
        provider: 'callbell',
        operation: spec.operation,
      });
    }
    const { webhook } = answer.output;
    return {
      url: webhook.url,
      events: webhook.subscriptions ?? [],
      enabled: webhook.enabled ?? true,
      ...(webhook.createdAt ? { createdAt: webhook.createdAt } : {}),
    };
  });
}
