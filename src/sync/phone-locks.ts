/**
 * One writer per phone and store in this process: a record without a link at a store holds its
 * phone there from the lookup to the link, so a second key with the same phone sees the first
 * one's link (and answers `conflict`) instead of racing it to the same vendor contact. Entries
 * leave with their holder: the map holds only the phones being written.
 */
export interface PhoneLocks {
  /** Runs `body` once no other holder of (`provider`, `phone`) is running. */
  hold<T>(provider: string, phone: string, body: () => Promise<T>): Promise<T>;
}

export function createPhoneLocks(): PhoneLocks {
  const tails = new Map<string, Map<string, Promise<unknown>>>();
  return {
    async hold(provider, phone, body) {
      let byPhone = tails.get(provider);
      if (!byPhone) {
        byPhone = new Map();
        tails.set(provider, byPhone);
      }
      const before = byPhone.get(phone);
      const run = (before ?? Promise.resolve()).then(body, body);
      const tail = run.catch(() => undefined);
      byPhone.set(phone, tail);
      try {
        return await run;
      } finally {
        if (byPhone.get(phone) === tail) byPhone.delete(phone);
        if (byPhone.size === 0 && tails.get(provider) === byPhone) tails.delete(provider);
      }
    },
  };
}
