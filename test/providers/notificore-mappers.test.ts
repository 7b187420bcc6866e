import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFieldEntries } from '../../providers/notificore/api.js';
import type { FieldRouting } from '../../providers/notificore/fields.js';
import {
  fromNotificoreContact,
  projectForNotificore,
  toIsoDateTime,
  toNotificoreFields,
  toNotificorePhone,
} from '../../providers/notificore/mappers.js';
import type { ContactInput } from '../../src/contact.js';

const COMMON = ['firstName', 'lastName', 'name', 'birthday', 'url'] as const;

/** A routing that gives each held path its own id, in the order given. */
function routingFor(paths: readonly string[]): FieldRouting {
  const ids = new Map(paths.map((path, index) => [path, 1000 + index]));
  const byId = new Map(paths.map((path, index) => [1000 + index, path]));
  return {
    idOf: (path) => ids.get(path),
    pathOf: (ref) => (typeof ref === 'number' ? byId.get(ref) : undefined),
    refId: (ref) => (typeof ref === 'number' ? ref : undefined),
  };
}

const text = fc.string({ minLength: 1, maxLength: 20 });
const inputArbitrary = fc.record(
  {
    phone: fc.constantFrom('+33612345678', '+14155550123', '+4915123456789'),
    firstName: text,
    lastName: text,
    name: text,
    birthday: fc.constantFrom('1990-04-21', '2000-02-29'),
    url: fc.constantFrom('https://example.com', 'http://a.b/c'),
    customFields: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), text, { maxKeys: 4 }),
    tags: fc.array(text, { maxLength: 3 }),
  },
  { requiredKeys: ['phone'] },
) as fc.Arbitrary<ContactInput>;

const pathsOf = (input: ContactInput) => [
  ...COMMON.filter((field) => input[field] !== undefined),
  ...Object.keys(input.customFields ?? {}).map((key) => `customFields.${key}`),
];

describe('notificore mappers (properties)', () => {
  it('keeps every value a custom field holds: from(to(input)) equals project(input)', () => {
    fc.assert(
      fc.property(inputArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), (input, share) => {
        const all = pathsOf(input);
        const held = all.filter((_, index) => index / Math.max(all.length, 1) < share);
        const routing = routingFor(held);
        const { fields, unmapped } = toNotificoreFields(input, routing.idOf, 'create');
        const back = fromNotificoreContact(
          { id: 1, phone: toNotificorePhone(input.phone!), fields },
          routing.pathOf,
          {},
        );
        const projected = projectForNotificore(input, (path) => held.includes(path));
        const { id, provider, warnings, raw, ...common } = back;
        expect(common).toEqual(projected);
        expect(back.phone).toBe(input.phone);
        // Nothing dropped silently: every value not held is reported.
        expect(unmapped.sort()).toEqual(all.filter((path) => !held.includes(path)).sort());
      }),
    );
  });

  it('sends the phone as the E.164 digits, a safe integer', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{8,14}$/), (digits) => {
        const phone = toNotificorePhone(`+${digits}`);
        expect(Number.isSafeInteger(phone)).toBe(true);
        expect(String(phone)).toBe(digits);
      }),
    );
  });
});

describe('notificore mappers (examples)', () => {
  it('parses every documented fields shape', () => {
    expect(
      parseFieldEntries([
        { id: 25964, value: 'Ana' },
        { id: '25965', value: 7 },
      ]),
    ).toEqual([
      { ref: 25964, value: 'Ana' },
      { ref: 25965, value: '7' },
    ]);
    expect(parseFieldEntries({ '25964': 'Ana', Company: 'Acme', '25966': null })).toEqual([
      { ref: 25964, value: 'Ana' },
      { ref: 'Company', value: 'Acme' },
    ]);
    expect(parseFieldEntries([{ code: 25964, text: 'Ana' }])).toEqual([
      { ref: 25964, value: 'Ana' },
    ]);
    expect(parseFieldEntries([{ '25964': 'Ana' }, { '25965': '' }])).toEqual([
      { ref: 25964, value: 'Ana' },
    ]);
    expect(parseFieldEntries('garbage')).toEqual([]);
    expect(parseFieldEntries(null)).toEqual([]);
  });

  it('clears on update with "" and leaves empty values out on create', () => {
    const routing = routingFor(['firstName', 'lastName']);
    const input = { firstName: '', lastName: 'Lopez' };
    expect(toNotificoreFields(input, routing.idOf, 'create').fields).toEqual([
      { id: 1001, value: 'Lopez' },
    ]);
    expect(toNotificoreFields(input, routing.idOf, 'update').fields).toEqual([
      { id: 1000, value: '' },
      { id: 1001, value: 'Lopez' },
    ]);
  });

  it('reads created_at as UTC', () => {
    expect(toIsoDateTime('2022-04-28 14:21:16')).toBe('2022-04-28T14:21:16.000Z');
    expect(toIsoDateTime('2022-04-28T14:21:16+03:00')).toBe('2022-04-28T11:21:16.000Z');
    expect(toIsoDateTime('not a date')).toBeUndefined();
    expect(toIsoDateTime(null)).toBeUndefined();
  });
});
