import type { EmulatedStopEntry, EmulatorResponse } from '../emulator.js';

interface StopEntry {
  id: number;
  phoneNumber: string;
  createdAt: string;
}

/**
 * SMS Partner's account-wide STOP list as its docs describe it: `stop-sms/list` (everything in one
 * answer, `Y-m-d H:i:s` times without an offset), `stop-sms/add` (one number; code 3 when it is
 * there already, 2 when missing, 9 when invalid; answers `stopId`), `stop-sms/delete` (a GET by
 * entry id; code 3 without an id, 4 for an unknown one).
 */
export function createSmsPartnerStopList() {
  const entries = new Map<number, StopEntry>();
  let sequence = 300;

  function put(phone: string): StopEntry | undefined {
    if ([...entries.values()].some((entry) => entry.phoneNumber === phone)) return undefined;
    sequence += 1;
    const entry = { id: sequence, phoneNumber: phone, createdAt: parisTime(new Date()) };
    entries.set(entry.id, entry);
    return entry;
  }

  return {
    /**
     * The emulator's handlers of the `stop-sms/*` paths, mounted by `createSmsPartnerEmulator`.
     * @internal
     */
    routes: {
      '/stop-sms/list': {
        methods: ['GET'],
        run: (): EmulatorResponse =>
          ok({ nbData: entries.size, data: [...entries.values()].map((entry) => ({ ...entry })) }),
      },
      '/stop-sms/add': {
        methods: ['POST'],
        run: (body: Record<string, unknown>): EmulatorResponse => {
          const given = body.phoneNumber;
          if (typeof given !== 'string' || !given.trim())
            return fail(2, 'Numéro de téléphone requis');
          const phone = international(given);
          if (!phone) return fail(9, 'Numéro de téléphone invalide');
          const entry = put(phone);
          return entry ? ok({ stopId: entry.id }) : fail(3, 'Number is already in stop list');
        },
      },
      '/stop-sms/delete': {
        methods: ['GET'],
        run: (_body: Record<string, unknown>, query: URLSearchParams): EmulatorResponse => {
          const id = Number(query.get('id'));
          if (!query.get('id') || !Number.isInteger(id)) return fail(3, 'Id requis');
          if (!entries.delete(id)) return fail(4, 'Id introuvable');
          return ok({});
        },
      },
    },
    /** The entries, as `stop-sms/list` shows them (the sandbox's page). */
    entries: (): EmulatedStopEntry[] =>
      [...entries.values()].map((entry) => ({ phone: entry.phoneNumber, record: { ...entry } })),
    /** The phones on the list, E.164 (tests and the sandbox's seed). */
    phones: () => [...entries.values()].map((entry) => entry.phoneNumber),
    /** Puts a phone on the list as if the person had answered STOP. */
    stop: (phone: string) => {
      put(phone);
    },
    /** Empties the list. */
    reset: () => entries.clear(),
  };
}

export type SmsPartnerStopList = ReturnType<typeof createSmsPartnerStopList>;

/** `+` international as sent, or a French national `06…` (the vendor accepts both on write). */
function international(value: string): string | undefined {
  const compact = value.replace(/[\s.-]/g, '');
  if (/^\+[1-9]\d{7,14}$/.test(compact)) return compact;
  if (/^0[1-9]\d{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  return undefined;
}

/** `Y-m-d H:i:s` in Europe/Paris, as the vendor prints it. */
function parisTime(date: Date): string {
  const text = date.toLocaleString('sv-SE', { timeZone: 'Europe/Paris', hour12: false });
  return text.replace('T', ' ');
}

function ok(payload: Record<string, unknown>): EmulatorResponse {
  return { status: 200, body: { success: true, code: 200, ...payload } };
}

function fail(code: number, message: string): EmulatorResponse {
  return { status: 200, body: { success: false, code, message } };
}
