import {
  type AnyStoreConfig,
  type ContactStoreConfig,
  isProviderName,
  type OutsideStoreConfig,
  PROVIDER_NAME_RULE,
  providerDefinitions,
  resolveProviders,
} from '../providers/registry.js';
import type { ContactInput } from '../src/contact.js';
import { invalidConfig } from '../src/errors.js';
import type { ProviderDefinition } from '../src/provider-definition.js';
import {
  type AccountRouter,
  callbellCredential,
  notificoreCredential,
  routeByAccount,
  smsPartnerCredential,
} from './accounts.js';
import { createCallbellEmulator } from './callbell/emulator.js';
import {
  type CallbellWebhookDeliverer,
  createCallbellWebhookDeliverer,
} from './callbell/webhooks.js';
import type { ProviderEmulator } from './emulator.js';
import { createNotificoreEmulator, type NotificoreEmulator } from './notificore/emulator.js';
import { seededRandom } from './random.js';
import { type SeedResult, seedEmulator } from './seed.js';
import {
  type FaultOptions,
  type RunningServer,
  type SandboxRequest,
  serveEmulators,
} from './server.js';
import { createSmsPartnerEmulator, type SmsPartnerEmulator } from './smspartner/emulator.js';
import { createSandboxUi, UI_PREFIX } from './ui/index.js';

export type { VendorFault } from '../src/testing/vendor-double.js';
export {
  type CallbellEmulatorChannel,
  type CallbellEmulatorOptions,
  createCallbellEmulator,
} from './callbell/emulator.js';
export type { CallbellEmulatorField } from './callbell/rules.js';
export type { CallbellDelivery, CallbellWebhookDeliverer } from './callbell/webhooks.js';
export type {
  EmulatedContact,
  EmulatedStopEntry,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
  TargetedFault,
} from './emulator.js';
export {
  createNotificoreEmulator,
  type EmulatedField,
  type EmulatedList,
  type FieldsShape,
  type NotificoreEmulator,
  type NotificoreEmulatorOptions,
  type UpdateSemantics,
} from './notificore/emulator.js';
export type { SeedResult } from './seed.js';
export type {
  FaultKind,
  FaultOptions,
  RunningServer,
  SandboxAnswer,
  SandboxExchange,
  SandboxRequest,
  VendorSwitches,
} from './server.js';
export {
  createSmsPartnerEmulator,
  type SmsPartnerEmulator,
  type SmsPartnerEmulatorOptions,
  type SmsPartnerSeedContact,
} from './smspartner/emulator.js';

/** The credentials the sandbox accepts (any other gets the vendor's own refusal). */
export const SANDBOX_CREDENTIALS = {
  /** SMS Partner's options. */
  smspartner: {
    /** The API key. */
    apiKey: 'sandbox-smspartner-key',
    /** The one group that exists. */
    groupId: 'sandbox-group',
  },
  /** Callbell's options. */
  callbell: {
    /** The API token. */
    apiToken: 'sandbox-callbell-token',
  },
  /** Notificore's options. */
  notificore: {
    /** The API key (a `test_` key). */
    apiKey: 'test_sandbox-notificore-key',
  },
} as const;

/** The vendors the sandbox serves. */
export type SandboxProvider = 'smspartner' | 'callbell' | 'notificore';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /**
   * Emulators of vendors defined outside this package (the `ProviderEmulator` contract of
   * `contact-sync/testing`), served next to the shipped ones under their `provider` name
   * (`/acme/v2/…`), with the same faults, latency and request log. Their `storeOptions` go into
   * `storeConfigs()`. A name a shipped vendor has, or given twice, is `invalid_config`.
   * Default: none.
   */
  emulators?: readonly ProviderEmulator[];
  /**
   * The definitions of those vendors (`defineProvider`), for `seed` to build their store.
   * Default: none (`seed` of an outside vendor then rejects `invalid_config`).
   */
  providers?: readonly ProviderDefinition<never>[];
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
  /** Faults injected into a share of the requests: statuses, Retry-After, slow answers, drops. */
  faults?: FaultOptions;
  /** Seed of the fault draws: the same seed, the same faults. Default 1. */
  seed?: number;
  /** Added to every answer, in ms. Default 0. */
  latencyMs?: number;
  /**
   * Deliver Callbell's contact events (signed) to your endpoint: every contact the sandbox's
   * Callbell creates, updates or deletes. With `faults.rate`, that share of events is first
   * delivered tampered (`tamperRate` sets that share alone). Default: no deliveries.
   */
  webhook?: {
    /** Where events are POSTed (http:// or https://): `http://127.0.0.1:3000/hooks/callbell`. */
    url: string;
    /** The signing secret. Default: a new `whsec_…` (read it from `sandbox.webhook.secret`). */
    secret?: string;
    /** Deliveries per event before giving up (Callbell retries a non-2xx). Default 5. */
    attempts?: number;
    /** Share of events first delivered tampered, then intact (0 to 1). Default `faults.rate` or 0. */
    tamperRate?: number;
  };
  /**
   * The vendor account to mirror, so that a rehearsal fails where the real push would: Callbell
   * refuses a tag or a custom field its account lacks (422 "Tag not found"), and Notificore stores
   * values only in fields its account has. Default: the emulators' own (Callbell's tags `lead`,
   * `vip`, `customer`; the custom fields the sandbox's `storeConfigs()` map to).
   */
  account?: SandboxAccount;
  /**
   * Serve the sandbox's web page at `/_sandbox/` on the same port (`sandbox.uiUrl`): each
   * vendor's contacts, the request log, webhook deliveries, switches per vendor, request counts.
   * Its JSON endpoints are in docs/sandbox.md. Default false.
   */
  ui?: boolean;
  /** Called once per request when it is answered or dropped: what `contact-sync sandbox --log` prints. */
  onRequest?: (request: SandboxRequest) => void;
}

/** Tags and custom fields of the mirrored account ({@link SandboxOptions.account}). */
export interface SandboxAccount {
  /** Callbell's tags: exactly these exist. */
  tags?: string[];
  /**
   * Custom field names (text fields) that exist at Callbell and Notificore, replacing the
   * defaults: the fields `storeConfigs()`'s field maps name stay as well, so its configs work.
   */
  fields?: string[];
}

/**
 * A running sandbox, from {@link startSandbox}. `Config` is the type of its store configurations:
 * the shipped vendors' union, or with `emulators` also {@link OutsideStoreConfig}.
 */
export interface Sandbox<Config extends AnyStoreConfig = ContactStoreConfig> extends RunningServer {
  /**
   * The emulators behind the server, to inspect or change their state directly (those of
   * `options.emulators` are yours already: the sandbox serves the objects you gave).
   */
  readonly emulators: {
    /** SMS Partner's (group `sandbox-group`). */
    readonly smspartner: SmsPartnerEmulator;
    /** Callbell's. */
    readonly callbell: ProviderEmulator;
    /** Notificore's. */
    readonly notificore: NotificoreEmulator;
  };
  /**
   * A store configuration per vendor pointing at this sandbox, field maps included: the shipped
   * vendors, then each of `options.emulators` (its `storeOptions` and `baseUrl`).
   */
  storeConfigs(): Config[];
  /**
   * Fills one vendor with contacts through its own API, answered in process: the same mapping
   * and refusals as a push, without sockets. For rehearsing a migration or a diff.
   */
  seed(
    provider: SandboxProvider | (string & {}),
    contacts: Iterable<ContactInput> | AsyncIterable<ContactInput>,
  ): Promise<SeedResult>;
  /** The Callbell webhook deliveries, with the secret they are signed with (with `webhook`). */
  readonly webhook?: CallbellWebhookDeliverer;
  /**
   * More customers: `accounts.add('acme')` gives every vendor an account of its own for `acme`
   * (its own API key, contacts and groups), `remove` revokes its keys (401 from then on), and
   * `outage` makes one of its vendors answer a status (503) until called again without one.
   */
  readonly accounts: SandboxAccounts;
  /** The web page's address, `http://127.0.0.1:<port>/_sandbox/` (with `ui: true`). */
  readonly uiUrl?: string;
}

/** The sandbox's other accounts (see {@link Sandbox.accounts}). */
export interface SandboxAccounts {
  /** Adds the account `name` at every vendor (idempotent). */
  add(name: string): SandboxCustomerAccount;
  /** Revokes `name`'s keys at every vendor: its requests are refused from now on. */
  remove(name: string): void;
  /** `status` for every request of `name` at `provider`, or `undefined` to answer again. */
  outage(name: string, provider: SandboxProvider, status: number | undefined): void;
}

/** One account of the sandbox at every vendor. */
export interface SandboxCustomerAccount {
  /** The account's name. */
  readonly name: string;
  /** Its emulators, one per vendor, each holding only this account's contacts. */
  readonly emulators: {
    /** SMS Partner's (group `sandbox-group`). */
    readonly smspartner: SmsPartnerEmulator;
    /** Callbell's. */
    readonly callbell: ProviderEmulator;
    /** Notificore's. */
    readonly notificore: NotificoreEmulator;
  };
  /** Store configurations with this account's keys (as `storeConfigs()`). */
  storeConfigs(): ContactStoreConfig[];
}

/** The credentials of the sandbox account `name`. */
function accountCredentials(name: string) {
  return {
    smspartner: { ...SANDBOX_CREDENTIALS.smspartner, apiKey: `sandbox-smspartner-key-${name}` },
    callbell: { apiToken: `sandbox-callbell-token-${name}` },
    notificore: { apiKey: `test_sandbox-notificore-key-${name}` },
  };
}

/**
 * Serves SMS Partner's, Callbell's and Notificore's contact endpoints on 127.0.0.1, as their docs
 * describe them, quirks included: for demos, end-to-end tests and benchmarks without accounts.
 */
export async function startSandbox(
  options?: SandboxOptions & { emulators?: readonly [] },
): Promise<Sandbox>;
export async function startSandbox(options: SandboxOptions): Promise<Sandbox<AnyStoreConfig>>;
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox<AnyStoreConfig>> {
  const registry = resolveProviders(options.providers);
  const outside = outsideEmulators(options.emulators);
  // The same vendor settings for the sandbox's own account and every account added later.
  const callbellOptions = {
    ...(options.account?.tags ? { tags: options.account.tags } : {}),
    ...(options.account?.fields
      ? { customFields: withMapped(options.account.fields, 'callbell') }
      : {}),
  };
  const notificoreOptions = options.account?.fields
    ? {
        fields: withMapped(options.account.fields, 'notificore').map((name, index) => ({
          id: 25_964 + index,
          name,
        })),
      }
    : {};
  const shipped = {
    smspartner: createSmsPartnerEmulator({
      apiKey: SANDBOX_CREDENTIALS.smspartner.apiKey,
      groups: [SANDBOX_CREDENTIALS.smspartner.groupId],
    }),
    callbell: createCallbellEmulator({
      ...callbellOptions,
      apiToken: SANDBOX_CREDENTIALS.callbell.apiToken,
    }),
    notificore: createNotificoreEmulator({
      ...notificoreOptions,
      apiKey: SANDBOX_CREDENTIALS.notificore.apiKey,
    }),
  };
  const webhook = options.webhook
    ? createCallbellWebhookDeliverer({
        ...options.webhook,
        tamperRate: options.webhook.tamperRate ?? options.faults?.rate ?? 0,
        random: seededRandom((options.seed ?? 1) + 7),
      })
    : undefined;
  const emulators = { ...shipped, ...outside };
  const routers = {
    smspartner: routeByAccount(shipped.smspartner, smsPartnerCredential, (apiKey) =>
      createSmsPartnerEmulator({ apiKey, groups: [SANDBOX_CREDENTIALS.smspartner.groupId] }),
    ),
    callbell: routeByAccount(
      webhook ? webhook.wrap(shipped.callbell) : shipped.callbell,
      callbellCredential,
      (apiToken) => createCallbellEmulator({ ...callbellOptions, apiToken }) as ProviderEmulator,
    ),
    notificore: routeByAccount(shipped.notificore, notificoreCredential, (apiKey) =>
      createNotificoreEmulator({ ...notificoreOptions, apiKey }),
    ),
  };
  const ui = options.ui
    ? createSandboxUi({
        // The main account's emulators (contacts, stop lists); the requests of every account.
        emulators,
        secrets: [
          ...[...Object.values(SANDBOX_CREDENTIALS), ...Object.values(outside).map(optionsOf)]
            .flatMap((credentials) => Object.entries(credentials))
            .filter(
              ([name, value]) =>
                /key|token|secret|password/i.test(name) && typeof value === 'string',
            )
            .map(([, value]) => value as string),
          ...(webhook ? [webhook.secret] : []),
        ],
        ...(webhook ? { webhook } : {}),
      })
    : undefined;
  const { ui: _ui, onRequest, ...serve } = options;
  const server = await serveEmulators({
    ...serve,
    emulators: { ...routers, ...outside },
    ...(ui ? { mount: ui.mount } : {}),
    ...(ui || onRequest
      ? {
          onRequest: (entry, exchange) => {
            ui?.observe(entry, exchange);
            onRequest?.(entry);
          },
        }
      : {}),
  });
  ui?.attach(server);
  const credentialOf = (name: string, provider: SandboxProvider) => {
    const credentials = accountCredentials(name)[provider] as {
      apiKey?: string;
      apiToken?: string;
    };
    return (credentials.apiKey ?? credentials.apiToken) as string;
  };
  const accounts: SandboxAccounts = {
    add(name) {
      const get = <E extends ProviderEmulator>(
        router: AccountRouter<E>,
        provider: SandboxProvider,
      ) => router.add(credentialOf(name, provider));
      const account = {
        name,
        emulators: {
          smspartner: get(routers.smspartner, 'smspartner'),
          callbell: get(routers.callbell, 'callbell'),
          notificore: get(routers.notificore, 'notificore'),
        },
        storeConfigs: () => {
          const credentials = accountCredentials(name);
          return storeConfigs(server).map(
            (config) =>
              ({
                ...config,
                ...credentials[config.provider as SandboxProvider],
              }) as ContactStoreConfig,
          );
        },
      };
      return account;
    },
    remove(name) {
      for (const provider of Object.keys(routers) as SandboxProvider[]) {
        routers[provider].remove(credentialOf(name, provider));
      }
    },
    outage(name, provider, status) {
      routers[provider].outage(credentialOf(name, provider), status);
    },
  };
  const configs = () => [
    ...storeConfigs(server),
    ...Object.values(outside).map(
      (emulator): AnyStoreConfig => ({
        ...emulator.storeOptions,
        provider: emulator.provider,
        baseUrl: server.baseUrl(emulator.provider),
      }),
    ),
  ];
  return {
    ...server,
    reset() {
      server.reset();
      ui?.clear();
    },
    emulators,
    accounts,
    storeConfigs: configs,
    seed: async (provider, contacts) => {
      const config = configs().find((candidate) => candidate.provider === provider);
      const emulator = Object.hasOwn(emulators, provider)
        ? (emulators as Record<string, ProviderEmulator>)[provider]
        : undefined;
      if (!config || !emulator) {
        throw invalidConfig([
          { path: 'provider', message: `the sandbox has no vendor named '${String(provider)}'` },
        ]);
      }
      if (!Object.hasOwn(registry, provider)) {
        throw invalidConfig([
          {
            path: 'providers',
            message: `seeding '${provider}' needs its ProviderDefinition in startSandbox({ providers })`,
          },
        ]);
      }
      return seedEmulator(emulator, config, contacts, registry);
    },
    ...(webhook ? { webhook } : {}),
    ...(ui ? { uiUrl: `${server.url}${UI_PREFIX}/` } : {}),
  };
}

/** An account's field names, and after them those the sandbox's own field map names. */
function withMapped(fields: readonly string[], provider: 'callbell' | 'notificore'): string[] {
  const config = SANDBOX_FIELD_MAPS[provider];
  return [...new Set([...Object.values(config), ...fields])];
}

const SANDBOX_FIELD_MAPS = {
  smspartner: { company: 'custom1', city: 'custom2' },
  callbell: {
    firstName: 'First name',
    lastName: 'Last name',
    birthday: 'Birthday',
    url: 'Website',
    company: 'Company',
    city: 'City',
  },
  notificore: {
    firstName: 'First name',
    lastName: 'Last name',
    birthday: 'Birthday',
    url: 'Website',
    company: 'Company',
  },
} as const;

/** `options.emulators` by name; a shipped vendor's name, a bad name or a name given twice throws. */
function outsideEmulators(
  given: readonly ProviderEmulator[] | undefined,
): Record<string, ProviderEmulator> {
  if (given === undefined) return {};
  if (!Array.isArray(given)) {
    throw invalidConfig([{ path: 'emulators', message: 'expected an array of emulators' }]);
  }
  const byName: Record<string, ProviderEmulator> = {};
  given.forEach((emulator: unknown, index) => {
    const issue = emulatorIssue(emulator, byName);
    if (issue) {
      const path = `emulators[${index}]${issue.path ? `.${issue.path}` : ''}`;
      throw invalidConfig([{ path, message: issue.message }]);
    }
    byName[(emulator as ProviderEmulator).provider] = emulator as ProviderEmulator;
  });
  return byName;
}

/** What is wrong with an outside emulator (`path` below it), or `undefined`. */
function emulatorIssue(
  value: unknown,
  taken: Record<string, unknown>,
): { path: string; message: string } | undefined {
  const emulator = value as Partial<ProviderEmulator> | null;
  if (
    typeof emulator !== 'object' ||
    emulator === null ||
    typeof emulator.handle !== 'function' ||
    typeof emulator.reset !== 'function' ||
    typeof emulator.contacts !== 'function'
  ) {
    return {
      path: '',
      message: 'expected a ProviderEmulator (provider, basePath, handle, contacts, reset)',
    };
  }
  const { provider: name, basePath } = emulator;
  if (typeof basePath !== 'string' || (basePath !== '' && !basePath.startsWith('/'))) {
    return { path: 'basePath', message: "expected '' or a path such as '/v2'" };
  }
  // The rule of a ProviderDefinition's name: it is the configs' `provider` and a URL prefix.
  if (!isProviderName(name)) return { path: 'provider', message: PROVIDER_NAME_RULE };
  if (Object.hasOwn(providerDefinitions, name) || Object.hasOwn(SANDBOX_CREDENTIALS, name)) {
    return { path: 'provider', message: `'${name}' is a vendor the sandbox ships` };
  }
  if (Object.hasOwn(taken, name)) return { path: 'provider', message: `'${name}' is given twice` };
  return undefined;
}

function storeConfigs(server: RunningServer): ContactStoreConfig[] {
  return [
    {
      provider: 'smspartner',
      ...SANDBOX_CREDENTIALS.smspartner,
      baseUrl: server.baseUrl('smspartner'),
      fieldMap: { ...SANDBOX_FIELD_MAPS.smspartner },
    },
    {
      provider: 'callbell',
      ...SANDBOX_CREDENTIALS.callbell,
      baseUrl: server.baseUrl('callbell'),
      fieldMap: { ...SANDBOX_FIELD_MAPS.callbell },
    },
    {
      provider: 'notificore',
      ...SANDBOX_CREDENTIALS.notificore,
      baseUrl: server.baseUrl('notificore'),
      fieldMap: { ...SANDBOX_FIELD_MAPS.notificore },
    },
  ];
}

/** An outside emulator's store options (its credentials among them), for redaction. */
function optionsOf(emulator: ProviderEmulator): Readonly<Record<string, unknown>> {
  return emulator.storeOptions ?? {};
}
