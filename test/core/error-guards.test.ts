import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as root from '../../index.js';
import {
  ContactSyncError,
  type ContactSyncErrorCode,
  isAborted,
  isConflict,
  isInvalidConfig,
  isInvalidInput,
  isInvalidResponse,
  isMirrorGuard,
  isNetworkError,
  isNotFound,
  isProviderError,
  isProviderUnavailable,
  isRateLimited,
  isTimeout,
  isUnauthorized,
  isUnsupported,
} from '../../src/errors.js';

const GUARDS: Record<ContactSyncErrorCode, (error: unknown) => boolean> = {
  invalid_input: isInvalidInput,
  invalid_config: isInvalidConfig,
  unauthorized: isUnauthorized,
  not_found: isNotFound,
  conflict: isConflict,
  rate_limited: isRateLimited,
  unsupported: isUnsupported,
  invalid_response: isInvalidResponse,
  provider_error: isProviderError,
  network: isNetworkError,
  timeout: isTimeout,
  provider_unavailable: isProviderUnavailable,
  mirror_guard: isMirrorGuard,
  aborted: isAborted,
};

/** What another copy of the library (a second install in node_modules) throws: same brand, other class. */
function foreignError(code: ContactSyncErrorCode): Error {
  return Object.assign(new Error(`[contact-sync] ${code}`), {
    code,
    [Symbol.for('contact-sync.error')]: true,
  });
}

describe('a typed guard per error code', () => {
  it('each guard accepts its own code only', () => {
    const codes = Object.keys(GUARDS) as ContactSyncErrorCode[];
    for (const code of codes) {
      const error = new ContactSyncError({ code });
      for (const other of codes)
        expect(GUARDS[other](error), `${other}(${code})`).toBe(other === code);
    }
  });

  it('recognises an error from another copy of the library, and refuses look-alikes', () => {
    expect(isConflict(foreignError('conflict'))).toBe(true);
    expect(isConflict(foreignError('not_found'))).toBe(false);
    expect(isConflict({ code: 'conflict', existingId: '1' })).toBe(false);
    expect(isConflict(Object.assign(new Error('x'), { code: 'conflict' }))).toBe(false);
    for (const value of [undefined, null, 'conflict', 42]) expect(isConflict(value)).toBe(false);
  });

  it('narrows conflict to existingId and existingKey of string | undefined', () => {
    const error: unknown = new ContactSyncError({
      code: 'conflict',
      provider: 'callbell',
      existingId: 'cb-7',
      existingKey: 'crm-42',
    });
    if (!isConflict(error)) throw new Error('expected a conflict');
    expectTypeOf(error.existingId).toEqualTypeOf<string | undefined>();
    expectTypeOf(error.existingKey).toEqualTypeOf<string | undefined>();
    expectTypeOf(error.code).toEqualTypeOf<'conflict'>();
    expect([error.existingId, error.existingKey]).toEqual(['cb-7', 'crm-42']);
  });

  it('narrows invalid_input to an issues array and rate_limited to retryAfterMs', () => {
    const input: unknown = new ContactSyncError({
      code: 'invalid_input',
      issues: [{ path: 'phone', message: 'not a phone number' }],
    });
    if (isInvalidInput(input)) {
      expectTypeOf(input.issues).toEqualTypeOf<root.ValidationIssue[]>();
      expect(input.issues.map((issue) => issue.path)).toEqual(['phone']);
    } else throw new Error('expected invalid_input');
    const limited: unknown = new ContactSyncError({ code: 'rate_limited', retryAfterMs: 1500 });
    if (isRateLimited(limited)) {
      expectTypeOf(limited.retryAfterMs).toEqualTypeOf<number | undefined>();
      expect(limited.retryAfterMs).toBe(1500);
    } else throw new Error('expected rate_limited');
  });

  it('makes instanceof hold across copies, and not for other errors', () => {
    expect(foreignError('timeout') instanceof ContactSyncError).toBe(true);
    expect(new ContactSyncError({ code: 'timeout' }) instanceof ContactSyncError).toBe(true);
    expect(new Error('x') instanceof ContactSyncError).toBe(false);
    expect(new ContactSyncError({ code: 'timeout' }) instanceof Error).toBe(true);
  });

  it('exports every guard from the root entry', () => {
    const exported = new Map(Object.entries(root));
    for (const guard of Object.values(GUARDS))
      expect(exported.get(guard.name), guard.name).toBe(guard);
    expect(root.isContactSyncError).toBeTypeOf('function');
  });
});

describe('inspect and console.log', () => {
  it('shows only the fields that are set', () => {
    const text = inspect(
      new ContactSyncError({
        code: 'not_found',
        provider: 'callbell',
        operation: 'update',
        status: 404,
      }),
    );
    expect(text).toContain("code: 'not_found'");
    expect(text).toContain("provider: 'callbell'");
    expect(text).toContain('status: 404');
    expect(text).toContain('retryable: false');
    expect(text).not.toContain('undefined');
    for (const unset of [
      'existingId',
      'existingKey',
      'retryAfterMs',
      'issues',
      'providerCode',
      'cause',
    ]) {
      expect(text).not.toContain(unset);
    }
  });

  it('keeps unset fields off the object, so other loggers do not print them either', () => {
    const error = new ContactSyncError({ code: 'network' });
    expect(Object.keys(error).sort()).toEqual(['code', 'retryable']);
    expect('cause' in error).toBe(false);
    expect(error.name).toBe('ContactSyncError');
    expect(String(error)).toBe('ContactSyncError: [contact-sync] network');
  });

  it('shows the cause by name and message only, never its fields', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      options: { headers: { authorization: 'Bearer sk_live_cause_token' } },
    });
    const text = inspect(new ContactSyncError({ code: 'network', cause }));
    expect(text).toContain('Error: connect ECONNREFUSED 127.0.0.1:9');
    expect(text).not.toContain('sk_live_cause_token');
    expect(text).not.toContain('authorization');
  });

  it('serialises the set fields only, with existingKey, and never the cause', () => {
    const error = new ContactSyncError({
      code: 'conflict',
      existingKey: 'crm-1',
      cause: new Error('secret-bearing cause'),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ContactSyncError',
      code: 'conflict',
      message: '[contact-sync] conflict',
      retryable: false,
      existingKey: 'crm-1',
    });
  });
});
