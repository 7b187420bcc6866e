import { describe, expect, it } from 'vitest';
import { IndexedMap } from '../../sandbox/indexed-map.js';

interface Held {
  id: number;
  phone: string;
}

const book = () => new IndexedMap<number, Held, string>((held) => held.phone);

describe('IndexedMap', () => {
  it('finds a value by its second key, and nothing for a key it does not hold', () => {
    const map = book();
    map.set(1, { id: 1, phone: '33611' }).set(2, { id: 2, phone: '33622' });
    expect(map.find('33622')).toEqual({ id: 2, phone: '33622' });
    expect(map.find('33699')).toBeUndefined();
    expect(map.size).toBe(2);
  });

  it('follows a second key changed in place once the value is set again', () => {
    const map = book();
    const held = { id: 1, phone: '33611' };
    map.set(1, held);
    held.phone = '33633';
    // Before it is set again the stale entry answers nothing rather than the wrong contact.
    expect(map.find('33611')).toBeUndefined();
    map.set(1, held);
    expect(map.find('33633')).toBe(held);
    expect(map.find('33611')).toBeUndefined();
  });

  it('forgets a deleted or cleared value, and keeps another holder of a reused key', () => {
    const map = book();
    map.set(1, { id: 1, phone: '33611' });
    map.delete(1);
    expect(map.find('33611')).toBeUndefined();
    map.set(2, { id: 2, phone: '33611' });
    map.set(3, { id: 3, phone: '33633' });
    expect(map.find('33611')?.id).toBe(2);
    map.clear();
    expect(map.find('33633')).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it('keeps the index of the new holder when an old one moves away from a key', () => {
    const map = book();
    const first = { id: 1, phone: '33611' };
    map.set(1, first);
    map.set(2, { id: 2, phone: '33611' }); // the later holder takes the key
    first.phone = '33644';
    map.set(1, first); // re-indexing the first must not drop the second's entry
    expect(map.find('33611')?.id).toBe(2);
    expect(map.find('33644')).toBe(first);
  });
});
