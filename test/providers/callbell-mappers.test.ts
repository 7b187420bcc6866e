import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallbellContact } from '../../providers/callbell/api.js';
import {
  type CallbellCreateBody,
  fromCallbellContact,
  projectCallbellContact,
  toCallbellCreate,
  toCallbellFields,
} from '../../providers/callbell/mappers.js';
import type { ContactInput } from '../../src/contact.js';
import { MAPPABLE_FIELDS } from '../../src/contact.js';
import { isUnchanged } from '../../src/store.js';

const MAPPED = {
  firstName: 'First name',
  lastName: 'Last name',
  birthday: 'Birthday',
  url: 'Website',
  company: 'Company',
};

/** What Callbell stores from a create body: the identifier as phone, values as sent. */
const stored = (body: CallbellCreateBody): { contact: CallbellContact; raw: unknown } => {
  const contact = {
    uuid: 'c1',
    name: body.name,
    phoneNumber: body.identifier,
    source: body.source,
    tags: body.tags ?? [],
    assignedUser: body.assigned_user ?? null,
    customFields: body.custom_fields ?? {},
    createdAt: '2026-01-05T10:00:00Z',
  };
  return { contact, raw: contact };
};

const text = fc.string({ maxLength: 12 });
const key = fc
  .stringMatching(/^[a-z][a-z0-9 ]{0,10}$/)
  .filter((name) => !(MAPPABLE_FIELDS as readonly string[]).includes(name));
const input: fc.Arbitrary<ContactInput> = fc.record(
  {
    phone: fc.constantFrom('+33612345678', '+14155552671', '+447911123456'),
    name: text,
    firstName: text,
    lastName: text,
    birthday: fc.constantFrom('1990-04-21', '2000-02-29', ''),
    url: fc.constantFrom('https://example.com/a', 'http://example.org', ''),
    tags: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 4 }),
    customFields: fc.dictionary(key, text, { maxKeys: 4 }),
    assignedUser: fc.constantFrom('agent@example.com', null),
  },
  { requiredKeys: ['phone'] },
);

const composed = (value: ContactInput) =>
  value.name || [value.firstName, value.lastName].filter((part) => part?.trim()).join(' ');

describe('callbell mappers', () => {
  it('keeps every field Callbell can hold through create and read back', () => {
    fc.assert(
      fc.property(input, (value) => {
        const { value: body, warnings } = toCallbellCreate(value, MAPPED);
        expect(warnings).toEqual([]);
        const contact = fromCallbellContact(stored(body), MAPPED);
        expect(contact?.phone).toBe(value.phone);
        expect(contact?.name).toBe(composed(value) || value.phone);
        for (const field of ['firstName', 'lastName', 'birthday', 'url'] as const) {
          expect(contact?.[field]).toBe(value[field] || undefined);
        }
        expect(contact?.tags ?? []).toEqual(value.tags ?? []);
        const kept = Object.entries(value.customFields ?? {}).filter(([, item]) => item !== '');
        expect(contact?.customFields ?? {}).toEqual(Object.fromEntries(kept));
        expect(contact?.assignedUser).toBe(value.assignedUser || undefined);
      }),
    );
  });

  it('warns about every first/last name, birthday and url it cannot place, and sends every custom field', () => {
    fc.assert(
      fc.property(input, (value) => {
        const { value: body, warnings } = toCallbellCreate(value, {});
        const expected = (['firstName', 'lastName', 'birthday', 'url'] as const).filter(
          (field) => value[field],
        );
        expect(warnings.map((warning) => warning.field)).toEqual(expected);
        expect(warnings.every((warning) => warning.reason === 'unmapped')).toBe(true);
        expect(Object.keys(body.custom_fields ?? {}).sort()).toEqual(
          Object.keys(value.customFields ?? {}).sort(),
        );
      }),
    );
  });

  it('projects an input so that the contact it creates compares unchanged', () => {
    fc.assert(
      fc.property(input, fc.boolean(), (value, mapped) => {
        const fieldMap = mapped ? MAPPED : {};
        const contact = fromCallbellContact(
          stored(toCallbellCreate(value, fieldMap).value),
          fieldMap,
        );
        expect(isUnchanged(projectCallbellContact(value, fieldMap), contact ?? {})).toBe(true);
      }),
    );
  });

  it('builds the create body', () => {
    const { value } = toCallbellCreate(
      {
        phone: '+33612345678',
        firstName: 'Jeanne',
        lastName: 'Martin',
        tags: ['lead'],
        customFields: { company: 'Acme', City: 'Lyon' },
        assignedUser: null,
      },
      { company: 'Company' },
      'c0ffee00c0ffee00c0ffee00c0ffee00',
    );
    expect(value).toMatchInlineSnapshot(`
        {
          "channel_uuid": "c0ffee00c0ffee00c0ffee00c0ffee00",
          "custom_fields": {
            "City": "Lyon",
            "Company": "Acme",
          },
          "identifier": "33612345678",
          "name": "Jeanne Martin",
          "source": "whatsapp",
          "tags": [
            "lead",
          ],
        }
      `);
  });

  it('reads a Callbell contact into the common model', () => {
    const contact = fromCallbellContact(
      {
        contact: {
          uuid: '414a6d692bd645ed803f2e7ce360d4c8',
          name: 'Jeanne Martin',
          phoneNumber: '+33 6 12 34 56 78',
          tags: 'lead, vip',
          assignedUser: null,
          customFields: { Company: 'Acme', Interests: '["A", "B"]', Empty: '', Score: 42 },
          createdAt: '2026-01-05T10:00:00Z',
        },
        raw: {},
      },
      { company: 'Company', birthday: 'Birthday' },
    );
    expect(contact).toMatchInlineSnapshot(`
        {
          "createdAt": "2026-01-05T10:00:00Z",
          "customFields": {
            "Interests": "["A","B"]",
            "Score": "42",
            "company": "Acme",
          },
          "id": "414a6d692bd645ed803f2e7ce360d4c8",
          "name": "Jeanne Martin",
          "phone": "+33612345678",
          "provider": "callbell",
          "raw": {},
          "tags": [
            "lead",
            "vip",
          ],
          "warnings": [],
        }
      `);
  });

  it('warns instead of writing two values into one custom field', () => {
    const { value, warnings } = toCallbellFields(
      { birthday: '1990-04-21', customFields: { Birthday: '1991-01-01', company: 'Acme' } },
      { birthday: 'Birthday', company: 'Company' },
    );
    expect(value.custom_fields).toEqual({ Birthday: '1990-04-21', Company: 'Acme' });
    expect(warnings).toEqual([
      expect.objectContaining({ field: 'customFields.Birthday', reason: 'ignored' }),
    ]);
  });

  it('composes no name from blank first and last names', () => {
    expect(toCallbellFields({ firstName: ' ', lastName: '' }, {}).value.name).toBeUndefined();
    expect(toCallbellFields({ name: '', lastName: 'Martin' }, {}).value.name).toBe('Martin');
  });
});
