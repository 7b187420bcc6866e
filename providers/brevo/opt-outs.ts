import type { HttpClient } from '../../src/http.js';
import type { OptOut, OptOutDriver } from '../../src/opt-outs.js';
import { phoneFromVendor } from '../../src/phone.js';
import { invalidResponse } from './api.js';
import { toBrevoError } from './errors.js';
import type { BrevoReader } from './list.js';
import { isSuccess } from './list.js';
import { smsOf } from './mappers.js';
import { createRequest, updateRequest } from './requests.js';

/**
 * Brevo's opt-out is a flag on the contact: `smsBlacklisted` (set by a STOP reply too). No endpoint
 * lists blocklisted numbers, so `optOuts` scans the contacts; `whatsappBlacklisted` is read as a
 * WhatsApp opt-out. `optOut` sets `smsBlacklisted` on the contact holding the phone, or creates a
 * blocklisted contact for it (so that Brevo never texts it); `optIn` clears the flag (only ever on
 * an explicit call: un-blocklisting someone who said STOP is the caller's decision).
 */
export function brevoOptOuts(http: HttpClient, reader: BrevoReader): OptOutDriver {
  async function flag(
    phone: string,
    value: boolean,
    operation: 'optOut' | 'optIn',
    signal?: AbortSignal,
  ) {
    const held = await reader.findByPhone(phone, { signal }, operation);
    const raw = held?.raw as { smsBlacklisted?: unknown } | undefined;
    if (held && (raw?.smsBlacklisted === true) === value) return 'unchanged';
    if (!held && !value) return 'unchanged';
    const spec = held
      ? updateRequest(held.id, { smsBlacklisted: value }, phone, operation, { signal })
      : {
          ...createRequest({ attributes: { SMS: phone }, smsBlacklisted: true }, phone, { signal }),
          operation,
        };
    await http.request(spec, (response) => {
      // A create lost on the way and retried meets its own contact: the phone is blocklisted then.
      if (!held && response.status === 400) return undefined;
      if (!isSuccess(response)) throw toBrevoError(http, response, spec);
      return undefined;
    });
    if (!held) {
      const created = await reader.findByPhone(phone, { signal }, operation);
      if ((created?.raw as { smsBlacklisted?: unknown } | undefined)?.smsBlacklisted !== true) {
        throw invalidResponse(spec, 'the blocklisted contact is not held');
      }
    }
    return 'changed';
  }

  return {
    async *list({ signal }) {
      for await (const { contact, raw } of reader.pages({ signal }, 'optOuts')) {
        const phone = phoneFromVendor(smsOf(contact));
        if (!phone) continue;
        const base = { phone, provider: 'brevo', id: String(contact.id), raw };
        if (contact.smsBlacklisted) yield { ...base, channel: 'sms' } satisfies OptOut;
        if (contact.whatsappBlacklisted) yield { ...base, channel: 'whatsapp' } satisfies OptOut;
      }
    },
    add: async (phone, { signal }) =>
      (await flag(phone, true, 'optOut', signal)) === 'changed' ? 'added' : 'present',
    remove: async (phone, { signal }) =>
      (await flag(phone, false, 'optIn', signal)) === 'changed' ? 'removed' : 'absent',
  };
}
