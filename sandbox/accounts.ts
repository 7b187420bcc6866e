import type { EmulatorRequest, EmulatorResponse, ProviderEmulator } from './emulator.js';

/**
 * One vendor of the sandbox serving several accounts: an account is an API key, and each key
 * has its own emulator (its own contacts, groups and tokens), as each customer has its own
 * account at the vendor. A request goes to the emulator of the key it carries; a key no account
 * has goes to the sandbox's own account, which refuses it as the vendor does (401, or SMS
 * Partner's code 10).
 */
export interface AccountRouter<E extends ProviderEmulator> extends ProviderEmulator {
  /** Adds the account of `credential` (idempotent) and gives its emulator. */
  add(credential: string): E;
  /** The emulator of `credential`'s account, if there is one. */
  get(credential: string): E | undefined;
  /** Removes the account of `credential`: its key is refused from now on (a revoked key). */
  remove(credential: string): void;
  /**
   * Makes the account of `credential` answer `status` (a 503, say) to every request, or, with
   * `undefined`, answer again: an outage of one vendor for one account.
   */
  outage(credential: string, status: number | undefined): void;
}

/** Where a vendor's request carries its credential, and how a login hands out a token. */
export interface CredentialReader {
  /** The API key or token of a request (a Notificore JWT maps to the key that got it). */
  read(request: EmulatorRequest): string | undefined;
  /** A login's answer: the token it issued, to route that token's requests to the account. */
  issued?(request: EmulatorRequest, response: EmulatorResponse): string | undefined;
}

/** Routes a vendor's requests to one emulator per API key, `main` for the sandbox's own key. */
export function routeByAccount<E extends ProviderEmulator>(
  main: E,
  reader: CredentialReader,
  create: (credential: string) => E,
): AccountRouter<E> {
  const accounts = new Map<string, E>();
  const tokens = new Map<string, string>();
  const down = new Map<string, number>();
  return {
    provider: main.provider,
    basePath: main.basePath,
    handle(request) {
      const given = reader.read(request);
      const credential = given === undefined ? undefined : (tokens.get(given) ?? given);
      const emulator = (credential !== undefined && accounts.get(credential)) || main;
      const status = emulator === main ? undefined : down.get(credential as string);
      if (status !== undefined) return { status, body: { message: 'Service Unavailable' } };
      const response = emulator.handle(request);
      const token = emulator === main ? undefined : reader.issued?.(request, response);
      if (token && credential !== undefined) tokens.set(token, credential);
      return response;
    },
    contacts: () => main.contacts(),
    reset() {
      main.reset();
      for (const emulator of accounts.values()) emulator.reset();
    },
    add(credential) {
      let emulator = accounts.get(credential);
      if (!emulator) {
        emulator = create(credential);
        accounts.set(credential, emulator);
      }
      return emulator;
    },
    get: (credential) => accounts.get(credential),
    outage(credential, status) {
      if (status === undefined) down.delete(credential);
      else down.set(credential, status);
    },
    remove(credential) {
      accounts.delete(credential);
      for (const [token, owner] of tokens) if (owner === credential) tokens.delete(token);
    },
  };
}

const bearer = (request: EmulatorRequest) =>
  /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];

/** SMS Partner: `apiKey` in the query of a GET, in the JSON body otherwise. */
export const smsPartnerCredential: CredentialReader = {
  read(request) {
    const key =
      request.method === 'GET'
        ? request.query.get('apiKey')
        : (request.body as { apiKey?: unknown } | undefined)?.apiKey;
    return typeof key === 'string' ? key : undefined;
  },
};

/** Callbell: the bearer token. */
export const callbellCredential: CredentialReader = { read: bearer };

/** Notificore: `api_key` in the login's body, then the JWT it issued as a bearer. */
export const notificoreCredential: CredentialReader = {
  read(request) {
    const key = (request.body as { api_key?: unknown } | undefined)?.api_key;
    return typeof key === 'string' ? key : bearer(request);
  },
  issued(_request, response) {
    const token = (response.body as { bearer?: unknown } | undefined)?.bearer;
    return response.status === 200 && typeof token === 'string' ? token : undefined;
  },
};
