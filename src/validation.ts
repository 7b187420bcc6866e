import * as v from 'valibot';
import type { ValidationIssue } from './errors.js';

type AnySchema = v.GenericSchema;

/**
 * Turns valibot issues into `{ path, message }` pairs that name the field and what was expected,
 * never the value received (it may be a phone number or a key).
 */
export function toValidationIssues(issues: readonly v.BaseIssue<unknown>[]): ValidationIssue[] {
  return issues.flatMap(deepest).map((issue) => ({
    path: v.getDotPath(issue) ?? '',
    message: describeIssue(issue),
  }));
}

/** A union's issue says only "none matched"; the branch that got deeper names the real field. */
function deepest(issue: v.BaseIssue<unknown>): v.BaseIssue<unknown>[] {
  const deeper = issue.issues?.filter((sub) => sub.path?.length) ?? [];
  if (!deeper.length) return [issue];
  // Sub-issues of a union carry paths relative to the union's value.
  return deeper
    .map(
      (sub) =>
        ({ ...sub, path: [...(issue.path ?? []), ...(sub.path ?? [])] }) as v.BaseIssue<unknown>,
    )
    .flatMap(deepest);
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  // Our own messages (set in the schemas) are written without the received value.
  if (!issue.message.startsWith('Invalid ')) return issue.message;
  if (issue.type === 'strict_object' || issue.type === 'object') {
    if (issue.expected === 'never') return 'unknown key';
    if (issue.received === 'undefined') return 'required';
  }
  if (issue.expected) return `expected ${issue.expected}`;
  return issue.message.replace(/ but received .*/, '');
}

const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** Names that would reach an object's prototype instead of its own keys. */
export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/**
 * Refuses an object with a reserved own key. valibot's `record` skips those keys silently, so
 * this check goes before it in the pipe: the name is refused instead of dropped.
 */
export function refuseReservedKeys() {
  return v.check(
    (value: unknown) =>
      typeof value !== 'object' || value === null || !Object.keys(value).some(isReservedKey),
    'these names are reserved: __proto__, prototype, constructor',
  );
}

/** Parses `value` with `schema`, or calls `fail` with the issues (which must throw). */
export function parseWith<TSchema extends AnySchema>(
  schema: TSchema,
  value: unknown,
  fail: (issues: ValidationIssue[]) => Error,
): v.InferOutput<TSchema> {
  let result: ReturnType<typeof v.safeParse<TSchema>>;
  try {
    result = v.safeParse(schema, value, { abortPipeEarly: true });
  } catch {
    // A getter or a proxy trap of the caller's object threw while it was read.
    throw fail([{ path: '', message: 'could not be read (a getter or proxy threw)' }]);
  }
  if (result.success) return result.output;
  const keys = 'entries' in schema ? Object.keys((schema as { entries: object }).entries) : [];
  throw fail(
    toValidationIssues(result.issues).map((issue) => {
      if (issue.message !== 'unknown key' || issue.path.includes('.')) return issue;
      const near = didYouMean(issue.path, keys);
      return near ? { ...issue, message: `unknown key (did you mean ${near}?)` } : issue;
    }),
  );
}

/**
 * The candidate a mistyped name most likely meant: the same letters in another case, or one at
 * most two edits away (one for a short name); `undefined` when none is that close.
 */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = name.length <= 4 ? 1 : 2;
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
