import * as v from 'valibot';
import { isContactSyncError } from '../../src/errors.js';
import type { HttpClient, RequestSpec } from '../../src/http.js';
import { type OptOutDriver, vendorLocalTime } from '../../src/opt-outs.js';
import { phoneFromVendor } from '../../src/phone.js';
import { phoneForms } from '../../src/redact.js';
import { type IssuePathOf, readSmsPartnerBody } from './errors.js';

/** SMS Partner prints stop-list times without an offset; its account times are French. */
const VENDOR_TIME_ZONE = 'Europe/Paris';

const StopListSchema = v.object({
  data: v.nullish(
    v.array(
      v.object({
        id: v.union([v.number(), v.string()]),
        phoneNumber: v.union([v.string(), v.number()]),
        createdAt: v.nullish(v.string()),
      }),
    ),
  ),
});

/** Body code of `stop-sms/add` for a number already on the list (not an error for us). */
const ALREADY_STOPPED = 3;
/** Body code of `stop-sms/delete` for an entry id it does not know. */
const UNKNOWN_ENTRY = 4;

/**
 * SMS Partner's account-wide STOP list (`stop-sms/list|add|delete`): SMS only, one number per
 * add, removal by the entry's id (found through the list: there is no delete by phone).
 */
export function smsPartnerOptOuts(
  http: HttpClient,
  apiKey: string,
  issuePathOf: IssuePathOf,
): OptOutDriver {
  /** Sends, checks SMS Partner's envelope, and parses the payload with `schema`. */
  const read = <TSchema extends v.GenericSchema>(spec: RequestSpec, schema: TSchema) =>
    http.request(spec, (response) => {
      const parsed = v.safeParse(schema, readSmsPartnerBody(http, spec, response, issuePathOf));
      if (parsed.success) return parsed.output as v.InferOutput<TSchema>;
      throw http.failure(response, spec, { code: 'invalid_response', retryable: false });
    });

  async function entries(signal?: AbortSignal) {
    const spec: RequestSpec = {
      operation: 'optOuts',
      method: 'GET',
      path: 'stop-sms/list',
      route: '/stop-sms/list',
      query: { apiKey },
      signal,
    };
    const list = await read(spec, StopListSchema);
    return (list.data ?? []).flatMap((entry) => {
      const phone = phoneFromVendor(entry.phoneNumber);
      return phone ? [{ id: String(entry.id), phone, entry }] : [];
    });
  }

  return {
    async *list({ signal }) {
      for (const { phone, entry } of await entries(signal)) {
        const at = vendorLocalTime(entry.createdAt, VENDOR_TIME_ZONE);
        yield { phone, provider: 'smspartner', channel: 'sms', ...(at ? { at } : {}), raw: entry };
      }
    },
    async add(phone, { signal }) {
      try {
        await read(
          {
            operation: 'optOut',
            method: 'POST',
            path: 'stop-sms/add',
            route: '/stop-sms/add',
            json: { apiKey, phoneNumber: phone },
            sensitive: phoneForms(phone),
            signal,
          },
          v.unknown(),
        );
        return 'added';
      } catch (error) {
        if (isContactSyncError(error) && error.providerCode === ALREADY_STOPPED) return 'present';
        throw error;
      }
    },
    async remove(phone, { signal }) {
      const held = (await entries(signal)).filter((entry) => entry.phone === phone);
      if (held.length === 0) return 'absent';
      for (const { id } of held) {
        try {
          await read(
            {
              operation: 'optIn',
              method: 'GET',
              path: 'stop-sms/delete',
              route: '/stop-sms/delete',
              query: { apiKey, id },
              signal,
            },
            v.unknown(),
          );
        } catch (error) {
          // Removed meanwhile (by another process or the dashboard): the outcome is the same.
          if (!(isContactSyncError(error) && error.providerCode === UNKNOWN_ENTRY)) throw error;
        }
      }
      return 'removed';
    },
  };
}
