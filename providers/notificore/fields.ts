import type { ContactPatch } from '../../src/contact.js';
import { MAPPABLE_FIELDS } from '../../src/contact.js';
import { invalidConfig, type ValidationIssue } from '../../src/errors.js';
import { untilAborted } from '../../src/until-aborted.js';
import type { FieldEntry } from './api.js';

/** A custom field of the account, from `GET /api/contacts/fields`. */
export interface AccountField {
  id: number;
  name: string;
}

/** Where values go and come from: paths are `firstName`… or `customFields.<key>`. */
export interface FieldRouting {
  /** The custom-field id a path is written to, or `undefined` when nothing holds it. */
  idOf(path: string): number | undefined;
  /** The path a stored value (by field id or name) is read back into, or `undefined`. */
  pathOf(ref: number | string): string | undefined;
  /** The custom-field id a stored value names: its id, or its name's id in the account. */
  refId(ref: number | string): number | undefined;
}

export interface FieldResolver {
  /** From `fieldMap` alone (no I/O): whether a common field has a target at all. */
  isMapped(path: string): boolean;
  /** Whether writing this input needs the account's field list (names, identity lookups). */
  needsAccountToWrite(input: ContactPatch): boolean;
  /** Whether reading these values needs the account's field list. */
  needsAccountToRead(entries: readonly FieldEntry[]): boolean;
  /**
   * Whether `fieldMap` routes `path`, or it is a custom-field key looked up by name: what a write
   * is meant to hold, whatever the account's field list says (stable across processes).
   */
  routes(path: string): boolean;
  /** Whether the vendor would hold a value at `path`, as far as is known now (no I/O). */
  holds(path: string): boolean;
  /** The routing, loading the field list first (once, shared) when `load` is true. */
  routing(load: boolean, signal?: AbortSignal): Promise<FieldRouting>;
  /**
   * Without I/O, for previews: the field id of `path` when known, else the field name it will be
   * looked up by once the field list is loaded, else `undefined`.
   */
  previewTarget(path: string): number | string | undefined;
}

const CUSTOM = 'customFields.';
const provider = 'notificore';

/** The path a `fieldMap` key routes: a common field, or a custom-field key. */
export function targetPath(key: string): string {
  return (MAPPABLE_FIELDS as readonly string[]).includes(key) ? key : `${CUSTOM}${key}`;
}

/**
 * Resolves `fieldMap` (numeric ids, or field names looked up once in the account) and identity
 * lookups of unmapped custom-field keys. `loadFields` is called at most once at a time; a failed
 * load is not cached, a successful one is kept for the life of the store.
 */
export function createFieldResolver(
  fieldMap: Record<string, string | number>,
  loadFields: () => Promise<AccountField[]>,
): FieldResolver {
  const numeric = new Map<string, number>();
  const named = new Map<string, string>();
  const keyOf = new Map<string, string>();
  for (const [key, target] of Object.entries(fieldMap)) {
    const path = targetPath(key);
    keyOf.set(path, key);
    if (typeof target === 'number') numeric.set(path, target);
    else named.set(path, target);
  }
  const numericIds = new Set(numeric.values());
  let account: AccountField[] | undefined;
  let loading: Promise<AccountField[]> | undefined;
  let built: { fields: AccountField[] | undefined; routing: FieldRouting } | undefined;

  const isIdentityPath = (path: string) => path.startsWith(CUSTOM) && !keyOf.has(path);

  function load(): Promise<AccountField[]> {
    if (account) return Promise.resolve(account);
    loading ??= loadFields()
      .then((fields) => {
        account = fields;
        return fields;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  function current(): FieldRouting {
    if (built?.fields !== account || !built) {
      built = { fields: account, routing: buildRouting(numeric, named, keyOf, account) };
    }
    return built.routing;
  }
  current(); // two keys routed to one numeric id: an invalid_config when the store is built

  return {
    isMapped: (path) => keyOf.has(path),
    routes: (path) => keyOf.has(path) || isIdentityPath(path),
    needsAccountToWrite: (input) =>
      named.size > 0 ||
      Object.keys(input.customFields ?? {}).some((key) => isIdentityPath(`${CUSTOM}${key}`)),
    needsAccountToRead: (entries) =>
      named.size > 0 ||
      entries.some((entry) => typeof entry.ref === 'string' || !numericIds.has(entry.ref)),
    holds(path) {
      if (!account) return keyOf.has(path) || isIdentityPath(path);
      try {
        return current().idOf(path) !== undefined;
      } catch {
        return keyOf.has(path);
      }
    },
    async routing(needed, signal) {
      if (needed) await untilAborted(load(), signal);
      return current();
    },
    previewTarget(path) {
      const id = current().idOf(path);
      if (id !== undefined || account) return id;
      return named.get(path) ?? (isIdentityPath(path) ? path.slice(CUSTOM.length) : undefined);
    },
  };
}

function buildRouting(
  numeric: ReadonlyMap<string, number>,
  named: ReadonlyMap<string, string>,
  keyOf: ReadonlyMap<string, string>,
  fields: AccountField[] | undefined,
): FieldRouting {
  const idByName = new Map<string, number>();
  const nameById = new Map<number, string>();
  for (const field of fields ?? []) {
    if (!idByName.has(field.name)) idByName.set(field.name, field.id);
    nameById.set(field.id, field.name);
  }
  const byPath = new Map(numeric);
  const issues: ValidationIssue[] = [];
  if (fields) {
    for (const [path, name] of named) {
      const id = idByName.get(name);
      if (id === undefined) {
        issues.push({
          path: `fieldMap.${keyOf.get(path)}`,
          message: `no custom field named "${name}" in the Notificore account`,
        });
      } else byPath.set(path, id);
    }
  }
  const pathById = new Map<number, string>();
  for (const [path, id] of byPath) {
    const other = pathById.get(id);
    if (other !== undefined) {
      issues.push({
        path: `fieldMap.${keyOf.get(path)}`,
        message: `routes to the same custom field as fieldMap.${keyOf.get(other)}`,
      });
    }
    pathById.set(id, path);
  }
  if (issues.length) throw invalidConfig(issues, provider);

  const identityId = (path: string) => {
    if (!path.startsWith(CUSTOM) || keyOf.has(path)) return undefined;
    const id = idByName.get(path.slice(CUSTOM.length));
    return id === undefined || pathById.has(id) ? undefined : id;
  };
  return {
    idOf: (path) => byPath.get(path) ?? identityId(path),
    refId: (ref) => (typeof ref === 'number' ? ref : idByName.get(ref)),
    pathOf(ref) {
      const id = typeof ref === 'number' ? ref : idByName.get(ref);
      if (id === undefined) return undefined;
      const mapped = pathById.get(id);
      if (mapped) return mapped;
      const name = nameById.get(id);
      const path = name === undefined ? undefined : `${CUSTOM}${name}`;
      return path !== undefined && identityId(path) === id ? path : undefined;
    },
  };
}
