import { abortError } from './abort.js';
import type { CallOptions, ContactStore, ListOptions } from './contact-store.js';
import { invalidInput } from './errors.js';
import { normalizePhone } from './phone.js';
import { tagged } from './store-checks.js';

/** The channels a vendor's opt-out can cover. */
export type OptOutChannel = 'sms' | 'whatsapp' | 'viber';

/** One entry of a vendor's stop list (or a contact it marks blocked). */
export interface OptOut {
  /** E.164. */
  phone: string;
  /** The vendor whose stop list holds it. */
  provider: string;
  /** The channel the opt-out covers at that vendor. */
  channel: OptOutChannel;
  /** When the person opted out, ISO 8601, where the vendor says. */
  at?: string | undefined;
  /** The vendor's contact id, where the opt-out is a mark on a contact (Callbell's `blockedAt`). */
  id?: string | undefined;
  /** The vendor's own entry, as parsed. */
  raw: unknown;
}

/**
 * How a store holds opt-outs: `native` (a stop list it can read and write: SMS Partner's stop-sms,
 * Notificore's stoplist), `read` (it only shows them: Callbell's `blockedAt`), `unsupported`.
 */
export type OptOutSupport = 'native' | 'read' | 'unsupported';

/** What `optOut` did: the phone was put on the stop list, or was on it already. */
export type OptOutResult = 'added' | 'present';
/** What `optIn` did: the phone was taken off the stop list, or was not on it. */
export type OptInResult = 'removed' | 'absent';

/** The opt-out members of a `ContactStore` (design §11), as a store that has them holds them. */
export type OptOutMethods = Required<Pick<ContactStore, 'optOuts'>> &
  Pick<ContactStore, 'optOut' | 'optIn'>;

/** The vendor half of the opt-out members: phones arrive in E.164, signals checked. */
export interface OptOutDriver {
  list(options: { signal?: AbortSignal }): AsyncIterable<OptOut>;
  add?(phone: string, call: { signal?: AbortSignal }): Promise<OptOutResult>;
  remove?(phone: string, call: { signal?: AbortSignal }): Promise<OptInResult>;
}

/** The store with its opt-out members (kept on the same object, so nothing of it is lost). */
export function withOptOuts<T extends ContactStore>(
  store: T,
  methods: OptOutMethods,
): T & OptOutMethods {
  return Object.assign(store, methods);
}

/**
 * Builds a store's opt-out members from its driver: phones normalized like every other phone
 * (`invalid_input` naming `phone` before any request), errors tagged with provider and operation.
 */
export function defineOptOuts(
  provider: string,
  driver: OptOutDriver,
  settings: { defaultCountry?: string },
): OptOutMethods {
  const tag = (operation: string) => (error: unknown) => {
    throw tagged(error, provider, operation);
  };
  const phoneOf = (phone: unknown, operation: string) => {
    if (typeof phone !== 'string') {
      throw invalidInput([{ path: 'phone', message: 'expected string' }], { provider, operation });
    }
    try {
      return normalizePhone(phone, settings);
    } catch (error) {
      throw tagged(error, provider, operation);
    }
  };
  const signalOf = (options: CallOptions | undefined, operation: string) => {
    const signal = options?.signal;
    if (signal?.aborted) throw abortError(signal, { provider, operation });
    return signal;
  };
  const methods: OptOutMethods = {
    optOuts: (options) => listAll(provider, driver, options ?? {}),
  };
  const { add, remove } = driver;
  if (add) {
    methods.optOut = async (phone, options) =>
      add(phoneOf(phone, 'optOut'), { signal: signalOf(options, 'optOut') }).catch(tag('optOut'));
  }
  if (remove) {
    methods.optIn = async (phone, options) =>
      remove(phoneOf(phone, 'optIn'), { signal: signalOf(options, 'optIn') }).catch(tag('optIn'));
  }
  return methods;
}

async function* listAll(
  provider: string,
  driver: OptOutDriver,
  options: ListOptions,
): AsyncIterable<OptOut> {
  if (typeof options !== 'object' || options === null) {
    throw invalidInput([{ path: 'options', message: 'expected an object { limit, signal }' }], {
      provider,
      operation: 'optOuts',
    });
  }
  const { limit, signal } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw invalidInput([{ path: 'limit', message: 'expected a whole number ≥ 0' }], {
      provider,
      operation: 'optOuts',
    });
  }
  if (limit === 0) return;
  let count = 0;
  try {
    for await (const entry of driver.list({ signal })) {
      yield entry;
      count += 1;
      if (limit !== undefined && count >= limit) return;
    }
  } catch (error) {
    throw tagged(error, provider, 'optOuts');
  }
}

/**
 * A vendor's local `Y-m-d H:i:s` time in `timeZone` → ISO 8601 UTC (`undefined` when unreadable).
 * SMS Partner and Notificore print times without an offset.
 */
export function vendorLocalTime(value: unknown, timeZone: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) {
    const time = Date.parse(value);
    return Number.isNaN(time) ? undefined : new Date(time).toISOString();
  }
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const asUtc = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second);
  // The zone's offset at that moment, read back through Intl (handles summer time).
  const offset = zoneOffsetMs(asUtc, timeZone);
  return new Date(asUtc - offset).toISOString();
}

function zoneOffsetMs(utc: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utc));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - utc;
}
