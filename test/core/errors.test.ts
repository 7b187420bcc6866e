import { describe, expect, it } from 'vitest';
import { ContactSyncError, isContactSyncError } from '../../src/errors.js';

describe('ContactSyncError', () => {
  it('formats the message from provider, operation, code, status and route', () => {
    const error = new ContactSyncError({
      code: 'not_found',
      provider: 'callbell',
      operation: 'update',
      status: 404,
      route: 'PATCH /contacts/…',
    });
    expect(error.message).toBe(
      '[contact-sync] [callbell] update failed: not_found (404, PATCH /contacts/…)',
    );
    expect(error.name).toBe('ContactSyncError');
    expect(error).toBeInstanceOf(Error);
  });

  it('derives retryable from the code and status unless told', () => {
    expect(new ContactSyncError({ code: 'network' }).retryable).toBe(true);
    expect(new ContactSyncError({ code: 'timeout' }).retryable).toBe(true);
    expect(new ContactSyncError({ code: 'rate_limited' }).retryable).toBe(true);
    expect(new ContactSyncError({ code: 'provider_error', status: 503 }).retryable).toBe(true);
    expect(new ContactSyncError({ code: 'provider_error', status: 418 }).retryable).toBe(false);
    expect(new ContactSyncError({ code: 'invalid_input' }).retryable).toBe(false);
    expect(new ContactSyncError({ code: 'unauthorized' }).retryable).toBe(false);
    expect(new ContactSyncError({ code: 'network', retryable: false }).retryable).toBe(false);
  });

  it('lists the issues in the message, naming each field', () => {
    const error = new ContactSyncError({
      code: 'invalid_input',
      issues: [{ path: 'birthday', message: 'expected a date written YYYY-MM-DD' }],
    });
    expect(error.message).toContain('birthday: expected a date written YYYY-MM-DD');
  });

  it('serialises every field but the cause', () => {
    const error = new ContactSyncError({
      code: 'conflict',
      provider: 'notificore',
      operation: 'create',
      status: 422,
      existingId: '42',
      cause: new Error('secret-bearing cause'),
    });
    const json = JSON.parse(JSON.stringify(error));
    expect(json).toMatchObject({
      code: 'conflict',
      provider: 'notificore',
      existingId: '42',
      status: 422,
    });
    expect(JSON.stringify(error)).not.toContain('secret-bearing');
  });

  it('is recognised across copies of the library through a global brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('contact-sync.error')]: true });
    expect(isContactSyncError(foreign)).toBe(true);
    expect(isContactSyncError(new ContactSyncError({ code: 'aborted' }))).toBe(true);
    expect(isContactSyncError(new Error('x'))).toBe(false);
    expect(isContactSyncError(null)).toBe(false);
    expect(isContactSyncError({ code: 'conflict' })).toBe(false);
  });
});
