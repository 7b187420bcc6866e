import * as v from 'valibot';
import type { HttpClient, RequestSpec } from '../../src/http.js';
import type { OptOut, OptOutChannel, OptOutDriver } from '../../src/opt-outs.js';
import { vendorLocalTime } from '../../src/opt-outs.js';
import { phoneFromVendor } from '../../src/phone.js';
import { phoneForms } from '../../src/redact.js';
import { invalidResponse, toNotificoreError } from './errors.js';
import { toNotificorePhone } from './mappers.js';

/** The stop-list types this adapter reads and writes (Notificore's `types`). */
export type NotificoreStopType = 'sms' | 'viber';

/** Notificore prints times without an offset; we read them as UTC (its servers' zone is not documented). */
const VENDOR_TIME_ZONE = 'UTC';
/** `page[limit]` is 15–500: the largest page costs the fewest requests. */
const PAGE_LIMIT = 500;

const EntrySchema = v.object({
  id: v.union([v.number(), v.string()]),
  phone: v.union([v.number(), v.string()]),
  created_at: v.nullish(v.string()),
  sms_stoplist: v.nullish(v.boolean()),
  viber_stoplist: v.nullish(v.boolean()),
});
type Entry = v.InferOutput<typeof EntrySchema>;
const PageSchema = v.object({
  data: v.nullish(v.array(EntrySchema)),
  total: v.nullish(v.union([v.number(), v.string()])),
});

const FLAG: Record<NotificoreStopType, 'sms_stoplist' | 'viber_stoplist'> = {
  sms: 'sms_stoplist',
  viber: 'viber_stoplist',
};

/**
 * Notificore's stop list (`/api/stoplist`): entries by phone with one flag per channel, added by
 * phone (`attach`), removed by entry id (`detach`), found by phone through `search`.
 * `types` are the channels this store writes (default both).
 */
export function notificoreOptOuts(
  http: HttpClient,
  types: readonly NotificoreStopType[],
): OptOutDriver {
  const read = <T extends v.GenericSchema>(spec: RequestSpec, schema: T) =>
    http.request(spec, (response) => {
      if (response.status < 200 || response.status >= 300)
        throw toNotificoreError(http, response, spec);
      const parsed = v.safeParse(schema, response.body);
      if (!parsed.success) throw invalidResponse(spec);
      return parsed.output as v.InferOutput<T>;
    });

  /** The entries holding `phone` (E.164): `search[field]=phone`, exact match. */
  async function entriesOf(
    phone: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<Entry[]> {
    const digits = String(toNotificorePhone(phone));
    const page = await read(
      {
        operation,
        method: 'GET',
        path: 'api/stoplist/search',
        route: '/api/stoplist/search',
        query: { 'search[field]': 'phone', 'search[operator]': '=', 'search[value]': digits },
        sensitive: phoneForms(phone),
        signal,
      },
      PageSchema,
    );
    return (page.data ?? []).filter((entry) => phoneFromVendor(entry.phone) === phone);
  }

  return {
    async *list({ signal }) {
      for (let offset = 0; ; offset += PAGE_LIMIT) {
        const page = await read(
          {
            operation: 'optOuts',
            method: 'GET',
            path: 'api/stoplist',
            route: '/api/stoplist',
            query: { 'page[limit]': PAGE_LIMIT, 'page[offset]': offset },
            signal,
          },
          PageSchema,
        );
        const data = page.data ?? [];
        for (const entry of data) yield* optOutsOf(entry);
        const total = Number(page.total);
        if (data.length < PAGE_LIMIT || (Number.isFinite(total) && offset + data.length >= total))
          return;
      }
    },
    async add(phone, { signal }) {
      const held = await entriesOf(phone, 'optOut', signal);
      const missing = types.filter((type) => !held.some((entry) => entry[FLAG[type]] === true));
      if (missing.length === 0) return 'present';
      await read(
        {
          operation: 'optOut',
          method: 'POST',
          path: 'api/stoplist/attach',
          route: '/api/stoplist/attach',
          json: { phones: [toNotificorePhone(phone)], types: missing },
          sensitive: phoneForms(phone),
          signal,
        },
        v.unknown(),
      );
      return 'added';
    },
    async remove(phone, { signal }) {
      const held = (await entriesOf(phone, 'optIn', signal)).filter((entry) =>
        types.some((type) => entry[FLAG[type]] === true),
      );
      if (held.length === 0) return 'absent';
      await read(
        {
          operation: 'optIn',
          method: 'POST',
          path: 'api/stoplist/detach',
          route: '/api/stoplist/detach',
          json: { ids: held.map((entry) => Number(entry.id)), types: [...types] },
          signal,
        },
        v.unknown(),
      );
      return 'removed';
    },
  };
}

/** One `OptOut` per channel an entry flags. */
function optOutsOf(entry: Entry): OptOut[] {
  const phone = phoneFromVendor(entry.phone);
  if (!phone) return [];
  const at = vendorLocalTime(entry.created_at, VENDOR_TIME_ZONE);
  const channels: OptOutChannel[] = [];
  if (entry.sms_stoplist) channels.push('sms');
  if (entry.viber_stoplist) channels.push('viber');
  // Flags of channels this package does not write (rcs on some accounts) are left out.
  return channels.map((channel) => ({
    phone,
    provider: 'notificore',
    channel,
    ...(at ? { at } : {}),
    raw: entry,
  }));
}
