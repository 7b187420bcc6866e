import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ContactInputSchema, ContactPatchSchema } from '../../src/contact-schema.js';
import { toValidationIssues } from '../../src/validation.js';

const issuesOf = (schema: v.GenericSchema, value: unknown) => {
  const result = v.safeParse(schema, value, { abortPipeEarly: true });
  return result.success ? [] : toValidationIssues(result.issues);
};

describe('contact schemas', () => {
  it('accepts a complete contact', () => {
    expect(
      issuesOf(ContactInputSchema, {
        phone: '+33612345678',
        firstName: 'Jeanne',
        lastName: 'Martin',
        name: 'Jeanne Martin',
        birthday: '1990-04-21',
        url: 'https://example.com/p/42',
        tags: ['vip'],
        customFields: { company: 'ACME' },
        assignedUser: null,
      }),
    ).toEqual([]);
  });

  it.each([
    [{}, 'phone', 'required (a contact needs a phone or a whatsappUserId)'],
    [{ phone: '+33612345678', nickname: 'J' }, 'nickname', 'unknown key'],
    [
      { phone: '+33612345678', birthday: '1990-02-30' },
      'birthday',
      'expected a date written YYYY-MM-DD',
    ],
    [
      { phone: '+33612345678', url: 'javascript:alert(1)' },
      'url',
      'expected an http:// or https:// URL',
    ],
    [{ phone: '+33612345678', tags: [''] }, 'tags.0', 'a tag cannot be empty'],
    [{ phone: '+33612345678', customFields: { __proto__: 'x' } }, '', undefined],
    [{ phone: '+33612345678', customFields: { a: 1 } }, 'customFields.a', 'expected string'],
    [
      { phone: '+33612345678', assignedUser: 'not-an-email' },
      'assignedUser',
      'expected an email address',
    ],
    [
      { phone: '+33612345678', firstName: 'x'.repeat(1001) },
      'firstName',
      'at most 1000 characters',
    ],
  ])('names the field of %j', (value, path, message) => {
    const issues = issuesOf(ContactInputSchema, value);
    if (message === undefined) return; // __proto__ in a literal sets the prototype: nothing to check
    expect(issues[0]).toEqual({ path, message });
  });

  it('refuses reserved custom field names (prototype pollution)', () => {
    const customFields = JSON.parse('{"__proto__": "x", "constructor": "y"}');
    const issues = issuesOf(ContactInputSchema, { phone: '+33612345678', customFields });
    expect(issues.map((issue) => issue.message)).toContain(
      'these names are reserved: __proto__, prototype, constructor',
    );
  });

  it('never echoes the received value in a message', () => {
    const issues = issuesOf(ContactInputSchema, { phone: 33612345678 });
    expect(issues).toEqual([{ path: 'phone', message: 'expected string' }]);
    expect(JSON.stringify(issues)).not.toContain('33612345678');
  });

  it('lets a patch omit the phone but not add unknown keys', () => {
    expect(issuesOf(ContactPatchSchema, { firstName: 'A' })).toEqual([]);
    expect(issuesOf(ContactPatchSchema, { first_name: 'A' })[0]?.path).toBe('first_name');
  });
});
