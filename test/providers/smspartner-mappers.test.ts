import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issuePathFor, resolveFieldMapping } from '../../providers/smspartner/fields.js';
import {
  dateFromSmsPartner,
  fromSmsPartnerContact,
  projectSmsPartnerContact,
  toSmsPartnerContact,
} from '../../providers/smspartner/mappers.js';
import { phoneFromSmsPartner } from '../../providers/smspartner/phone.js';
import type { ContactInput } from '../../src/contact.js';
import { isContactSyncError } from '../../src/errors.js';

const mapping = resolveFieldMapping({ company: 'custom1', city: 'custom4' }, 'smspartner');

/** Text SMS Partner holds as is: non-empty, at most 32 characters (names), no edge spaces. */
const name = fc.string({ minLength: 1, maxLength: 32, unit: 'grapheme' });
const date = fc
  .date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((value) => value.toISOString().slice(0, 10));
const url = fc.webUrl({ validSchemes: ['http', 'https'] });
const phone = fc.integer({ min: 10_000_000, max: 99_999_999 }).map((n) => `+336${n}`);

const holdable = fc.record(
  {
    phone,
    firstName: name,
    lastName: name,
    birthday: date,
    url,
    customFields: fc.record(
      { company: fc.string({ minLength: 1 }), city: fc.string({ minLength: 1 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['phone'] },
);

/** What SMS Partner stores, as its read side returns it (write names → read names). */
const stored = (input: ContactInput) => {
  const { contact } = toSmsPartnerContact(input, mapping);
  const { phoneNumber, ...fields } = contact;
  return fromSmsPartnerContact({ ...fields, phone: phoneNumber, contactId: 'c1' }, mapping);
};

describe('smspartner mappers', () => {
  it('writes an input with the write-side names', () => {
    expect(
      toSmsPartnerContact(
        {
          phone: '+33612345678',
          firstName: 'Jeanne',
          lastName: 'Martin',
          birthday: '1990-04-21',
          url: 'https://example.com',
          customFields: { company: 'ACME', city: '' },
        },
        mapping,
      ),
    ).toMatchInlineSnapshot(`
      {
        "contact": {
          "custom1": "ACME",
          "custom4": "",
          "date": "1990-04-21",
          "firstname": "Jeanne",
          "lastname": "Martin",
          "phoneNumber": "+33612345678",
          "url": "https://example.com",
        },
        "issues": [],
        "warnings": [],
      }
    `);
  });

  it('common → SMS Partner → common keeps every field SMS Partner can hold', () => {
    fc.assert(
      fc.property(holdable, (input) => {
        const { warnings } = toSmsPartnerContact(input, mapping);
        expect(warnings).toEqual([]);
        const { id: _id, provider: _provider, warnings: _none, raw: _raw, ...back } = stored(input);
        const customFields = Object.keys(input.customFields ?? {}).length
          ? input.customFields
          : undefined;
        expect(back).toEqual({ ...input, customFields });
        if (!customFields) expect(back).not.toHaveProperty('customFields');
      }),
    );
  });

  it('project() equals what SMS Partner returns, so a second upsert is unchanged', () => {
    const anything = fc.record(
      {
        phone,
        firstName: fc.string({ maxLength: 60 }),
        lastName: fc.string({ maxLength: 60 }),
        name: fc.string(),
        customFields: fc.dictionary(fc.constantFrom('company', 'city', 'other'), fc.string()),
        tags: fc.array(fc.string({ minLength: 1 })),
      },
      { requiredKeys: ['phone'] },
    );
    fc.assert(
      fc.property(anything, (input) => {
        const { id: _id, provider: _provider, warnings: _none, raw: _raw, ...back } = stored(input);
        expect(projectSmsPartnerContact(input, mapping)).toEqual(back);
      }),
    );
  });

  it('turns every value SMS Partner cannot hold into a warning naming its field', () => {
    const extra = fc.record({
      customFields: fc.dictionary(
        fc
          .string({ minLength: 1 })
          .filter((key) => !['company', 'city', '__proto__'].includes(key)),
        fc.string(),
        { minKeys: 1 },
      ),
      tags: fc.array(fc.string({ minLength: 1 }), { minLength: 1 }),
      assignedUser: fc.emailAddress(),
      name: fc.string({ minLength: 1 }),
    });
    fc.assert(
      fc.property(phone, extra, (phoneNumber, fields) => {
        const { contact, warnings } = toSmsPartnerContact(
          { phone: phoneNumber, ...fields },
          mapping,
        );
        expect(contact).toEqual({ phoneNumber });
        expect(warnings.map((warning) => [warning.field, warning.reason]).sort()).toEqual(
          [
            ...Object.keys(fields.customFields).map((key) => [`customFields.${key}`, 'unmapped']),
            ['tags', 'unsupported'],
            ['assignedUser', 'unsupported'],
            ['name', 'unsupported'],
          ].sort(),
        );
      }),
    );
  });

  it('truncates first and last names to 32 characters with a truncated warning', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 33, maxLength: 200, unit: 'grapheme-ascii' }), (long) => {
        const { contact, warnings } = toSmsPartnerContact(
          { firstName: long, lastName: long },
          mapping,
        );
        expect(contact.firstname).toBe(long.slice(0, 32));
        expect(contact.lastname).toBe(long.slice(0, 32));
        expect(warnings).toEqual([
          expect.objectContaining({ field: 'firstName', reason: 'truncated' }),
          expect.objectContaining({ field: 'lastName', reason: 'truncated' }),
        ]);
      }),
    );
  });

  it('never splits an emoji when truncating', () => {
    const { contact } = toSmsPartnerContact({ firstName: '😀'.repeat(40) }, mapping);
    expect(Array.from(contact.firstname ?? '')).toHaveLength(32);
    expect(contact.firstname).toBe('😀'.repeat(32));
  });

  it('does not warn about a name that only repeats firstName and lastName', () => {
    const result = toSmsPartnerContact(
      { firstName: 'Jeanne', lastName: 'Martin', name: 'Jeanne Martin' },
      mapping,
    );
    expect(result.warnings).toEqual([]);
    expect(toSmsPartnerContact({ assignedUser: null, tags: [] }, mapping).warnings).toEqual([]);
  });

  it('sends "" to clear a field', () => {
    expect(
      toSmsPartnerContact({ lastName: '', birthday: '', customFields: { company: '' } }, mapping)
        .contact,
    ).toEqual({
      lastname: '',
      date: '',
      custom1: '',
    });
  });

  it('re-targets common fields through fieldMap and reads them back', () => {
    const custom = resolveFieldMapping(
      { firstName: 'custom2', name: 'firstname', birthday: 'custom3' },
      'smspartner',
    );
    const { contact } = toSmsPartnerContact(
      { firstName: 'Ana', name: 'Ana Diaz', birthday: '1990-01-02' },
      custom,
    );
    expect(contact).toEqual({ custom2: 'Ana', firstname: 'Ana Diaz', custom3: '1990-01-02' });
    expect(
      fromSmsPartnerContact({ contactId: '1', phone: '+33612345678', ...contact }, custom),
    ).toMatchObject({
      firstName: 'Ana',
      name: 'Ana Diaz',
      birthday: '1990-01-02',
    });
  });

  it('reports a value routed to date or url that SMS Partner would refuse', () => {
    const custom = resolveFieldMapping(
      { since: 'date', site: 'url', birthday: 'custom1', url: 'custom2' },
      'smspartner',
    );
    const { issues } = toSmsPartnerContact(
      { customFields: { since: 'yesterday', site: 'example.com' } },
      custom,
    );
    expect(issues.map((issue) => issue.path)).toEqual(['customFields.since', 'customFields.site']);
  });

  it('rejects fieldMap targets SMS Partner does not have, naming the key', () => {
    const fieldMaps: Record<string, string | number>[] = [
      { company: 'Company' },
      { company: 3 },
      { tags: 'custom1' },
      { phone: 'custom1' },
    ];
    for (const fieldMap of fieldMaps) {
      const error = (() => {
        try {
          resolveFieldMapping(fieldMap, 'smspartner');
        } catch (caught) {
          return caught;
        }
      })();
      expect(isContactSyncError(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'invalid_config',
        issues: [{ path: `fieldMap.${Object.keys(fieldMap)[0]}` }],
      });
    }
  });

  it('rejects two sources on one SMS Partner field, naming the fieldMap key', () => {
    expect(() => resolveFieldMapping({ company: 'firstname' }, 'smspartner')).toThrow(
      /fieldMap\.company/,
    );
    expect(() => resolveFieldMapping({ a: 'custom1', b: 'custom1' }, 'smspartner')).toThrow(
      /fieldMap\.b/,
    );
    expect(() =>
      resolveFieldMapping({ company: 'firstname', firstName: 'custom1' }, 'smspartner'),
    ).not.toThrow();
  });

  it('reads dates written YYYY-MM-DD, as a date-time, or DD-MM-YYYY', () => {
    expect(dateFromSmsPartner('1990-04-21')).toBe('1990-04-21');
    expect(dateFromSmsPartner('1990-04-21T00:00:00+02:00')).toBe('1990-04-21');
    expect(dateFromSmsPartner('12-06-2020')).toBe('2020-06-12');
    expect(dateFromSmsPartner('someday')).toBe('someday');
  });

  it('reads phones with +, without +, with 00, French national, or as numbers', () => {
    expect(phoneFromSmsPartner('+33612345678')).toBe('+33612345678');
    expect(phoneFromSmsPartner('33612345678')).toBe('+33612345678');
    expect(phoneFromSmsPartner('0033612345678')).toBe('+33612345678');
    expect(phoneFromSmsPartner('06 12 34 56 78')).toBe('+33612345678');
    expect(phoneFromSmsPartner(33612345678)).toBe('+33612345678');
    expect(phoneFromSmsPartner('')).toBeUndefined();
  });

  it('names the common field of a code-9 elementId', () => {
    const pathOf = issuePathFor(mapping);
    expect(pathOf('contact[phoneNumber]')).toBe('phone');
    expect(pathOf('contact[lastname]')).toBe('lastName');
    expect(pathOf('contact.custom1')).toBe('customFields.company');
    expect(pathOf('contact[custom2]')).toBe('custom2');
    expect(pathOf('children[message].data')).toBe('children[message].data');
  });
});

describe('smspartner mappers: read side', () => {
  it('reads a zero date as no birthday', () => {
    const contact = fromSmsPartnerContact(
      { contactId: '1', phone: '+33612345678', date: '0000-00-00' },
      mapping,
    );
    expect(contact).not.toHaveProperty('birthday');
  });
});
