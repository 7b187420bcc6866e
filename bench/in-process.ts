import { createContactStore } from '../providers/registry.js';
import { normalizePhone } from '../src/phone.js';
import type { RemoteSandbox } from './sandbox-process.js';
import { median } from './stats.js';
import { contactAt } from './workload.js';

export interface InProcessResult {
  /** Contacts per second through validation, phone normalization and mapping, per vendor. */
  perVendor: Record<string, { perSecond: number; microseconds: number }>;
  /** One parse of a number never seen before, in µs. */
  phoneParse: number;
  /** One loopback round trip of a raw fetch to the sandbox, in µs (median). */
  roundTrip: number;
}

/**
 * Row 3: `store.preview('create', contact)` per vendor, the whole in-process path of a write
 * without I/O (strict validation, phone to E.164, the vendor's checks and mapping, the request as it
 * would be sent), on contacts never seen before (so each number is parsed).
 */
export async function measureInProcess(
  sandbox: RemoteSandbox,
  options: { contacts: number; rounds: number },
): Promise<InProcessResult> {
  const perVendor: InProcessResult['perVendor'] = {};
  let offset = 1_000_000;
  for (const config of sandbox.configs) {
    const store = createContactStore(config);
    const samples: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      const contacts = Array.from({ length: options.contacts }, (_, index) =>
        contactAt(offset + index),
      );
      offset += options.contacts;
      const started = performance.now();
      for (const contact of contacts) store.preview('create', contact);
      samples.push((performance.now() - started) / options.contacts);
    }
    const microseconds = median(samples) * 1000;
    perVendor[config.provider] = { perSecond: 1e6 / microseconds, microseconds };
  }
  const parses: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const phones = Array.from({ length: options.contacts }, (_, index) =>
      contactAt(offset + index).phone!.replace('+33', '0'),
    );
    offset += options.contacts;
    const started = performance.now();
    for (const phone of phones) normalizePhone(phone, { defaultCountry: 'FR' });
    parses.push(((performance.now() - started) / options.contacts) * 1000);
  }
  return { perVendor, phoneParse: median(parses), roundTrip: await roundTrip(sandbox) };
}

/** The median time of one raw fetch to the sandbox and back (Callbell's lookup, a 404). */
async function roundTrip(sandbox: RemoteSandbox): Promise<number> {
  const config = sandbox.configs.find((item) => item.provider === 'callbell') as {
    baseUrl: string;
    apiToken: string;
  };
  const times: number[] = [];
  for (let index = 0; index < 300; index += 1) {
    const started = performance.now();
    const response = await fetch(`${config.baseUrl}/contacts/phone/336100${index}`, {
      headers: { authorization: `Bearer ${config.apiToken}` },
    });
    await response.text();
    if (index >= 50) times.push((performance.now() - started) * 1000);
  }
  return median(times);
}
