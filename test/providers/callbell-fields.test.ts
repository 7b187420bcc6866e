import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  type CallbellFieldType,
  canonicalText,
  createFieldTypeCache,
  toFieldValue,
  toTypedFields,
  typesOf,
} from '../../providers/callbell/fields.js';

const checkbox = { type: 'checkbox', options: ['Dark Mode', 'Notifications', 'Analytics'] };

describe('callbell field types', () => {
  it('reads the types of the documented customFieldsMetadata', () => {
    const types = typesOf({
      Address: { value: 'Oxford Street 123', type: 'text' },
      'Birth Date': { value: '1990-05-15', type: 'date' },
      Features: { value: ['Dark Mode'], type: 'checkbox', options: checkbox.options },
    });
    expect(Object.fromEntries(types)).toEqual({
      Address: { type: 'text' },
      'Birth Date': { type: 'date' },
      Features: checkbox,
    });
    expect(typesOf(undefined).size).toBe(0);
    expect(typesOf('not an object').size).toBe(0);
  });

  it.each([
    ['text', 'anything', 'anything'],
    ['number', ' 42 ', '42'],
    ['number', '-1.5', '-1.5'],
    ['date', '2026-03-03', '2026-03-03'],
    ['email', 'a@example.com', 'a@example.com'],
    ['number', '', ''],
  ])('takes a %s value %j as %j', (type, text, value) => {
    expect(toFieldValue(text, { type })).toEqual({ value });
  });

  it.each([
    ['number', '4 2'],
    ['number', '42abc'],
    ['date', '03/03/2026'],
    ['date', '2026-02-30'],
    ['email', 'a@b'],
  ])('refuses a %s value %j', (type, text) => {
    expect(toFieldValue(text, { type })).toEqual({ problem: expect.any(String) });
  });

  it('takes a checkbox value as a JSON list, a single option or "" for none', () => {
    expect(toFieldValue('["Dark Mode","Analytics"]', checkbox)).toEqual({
      value: ['Dark Mode', 'Analytics'],
    });
    expect(toFieldValue('Analytics', checkbox)).toEqual({ value: ['Analytics'] });
    expect(toFieldValue('', checkbox)).toEqual({ value: [] });
    expect(toFieldValue('["Telepathy"]', checkbox)).toEqual({ problem: expect.any(String) });
    // A refused value is never quoted back (a custom field may hold a phone number).
    expect(JSON.stringify(toFieldValue('+33612345678', checkbox))).not.toContain('33612345678');
    expect(toFieldValue('[1, 2]', checkbox)).toEqual({ problem: expect.any(String) });
    expect(toFieldValue('[oops', checkbox)).toEqual({ problem: expect.any(String) });
  });

  it('checks a dropdown against its options when known', () => {
    const dropdown = { type: 'dropdown', options: ['Free', 'Pro'] };
    expect(toFieldValue('Pro', dropdown)).toEqual({ value: 'Pro' });
    expect(toFieldValue('Gold', dropdown)).toEqual({ problem: expect.any(String) });
    expect(toFieldValue('Gold', { type: 'dropdown' })).toEqual({ value: 'Gold' });
  });

  it('sends a field of unknown type as the text given', () => {
    expect(toFieldValue('["x"]', undefined)).toEqual({ value: '["x"]' });
  });

  it('names every value that cannot be converted, by its input path', () => {
    const types = new Map<string, CallbellFieldType>([
      ['Seats', { type: 'number' }],
      ['Features', checkbox],
    ]);
    const attempt = () =>
      toTypedFields(
        { Seats: 'many', Features: 'Telepathy', City: 'Lyon' },
        types,
        { Seats: 'customFields.seats' },
        { provider: 'callbell', operation: 'create' },
      );
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        issues: [
          { path: 'customFields.seats', message: expect.stringContaining('Seats') },
          { path: 'customFields.Features', message: expect.stringContaining('Analytics') },
        ],
      }),
    );
  });

  it('spells a checkbox value one way', () => {
    expect(canonicalText('["A", "B"]')).toBe('["A","B"]');
    expect(canonicalText('[not json')).toBe('[not json');
    expect(canonicalText('plain')).toBe('plain');
  });
});

describe('callbell field type cache', () => {
  it('reads once for concurrent callers, who share one abort listener per signal', async () => {
    let release: (types: Map<string, CallbellFieldType>) => void = () => {};
    let loads = 0;
    const cache = createFieldTypeCache(() => {
      loads += 1;
      return new Promise((resolve) => {
        release = resolve;
      });
    });
    const controller = new AbortController();
    const waiting = Array.from({ length: 20 }, () => cache.get(controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    release(new Map([['Seats', { type: 'number' }]]));
    for (const types of await Promise.all(waiting)) expect(types.get('Seats')?.type).toBe('number');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(loads).toBe(1);
    expect(cache.known()?.size).toBe(1);
  });

  it('does not keep a failed read, and a caller stops waiting when its signal fires', async () => {
    let attempt = 0;
    const cache = createFieldTypeCache(async () => {
      attempt += 1;
      if (attempt === 1) throw new Error('503');
      return new Map();
    });
    await expect(cache.get()).rejects.toThrow('503');
    await expect(cache.get()).resolves.toEqual(new Map());
    const stalled = createFieldTypeCache(() => new Promise(() => {}));
    const controller = new AbortController();
    const waiting = stalled.get(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
  });
});
