/**
 * A `Map` that also finds its values by a second, unique key (a contact's phone), so an emulator's
 * lookup by phone costs the same at 20,000 contacts as at 20. Setting an entry again re-reads its
 * second key, so code that changes a value in place (a `PUT` that changes the phone) must set it
 * again; `find` checks its answer against the value, so a stale entry gives `undefined`, never
 * another contact.
 */
export class IndexedMap<K, V, I> extends Map<K, V> {
  readonly #secondOf: (value: V) => I;
  readonly #bySecond = new Map<I, K>();
  readonly #secondByKey = new Map<K, I>();

  constructor(secondOf: (value: V) => I) {
    super();
    this.#secondOf = secondOf;
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    // `Map`'s constructor calls `set` for its iterable; this class passes none, so the private
    // fields exist by the time any entry arrives.
    this.#forget(key);
    const second = this.#secondOf(value);
    this.#bySecond.set(second, key);
    this.#secondByKey.set(key, second);
    return this;
  }

  override delete(key: K): boolean {
    this.#forget(key);
    return super.delete(key);
  }

  override clear(): void {
    this.#bySecond.clear();
    this.#secondByKey.clear();
    super.clear();
  }

  /** The value whose second key is `second`, if one is held. */
  find(second: I): V | undefined {
    const key = this.#bySecond.get(second);
    if (key === undefined) return undefined;
    const value = this.get(key);
    return value !== undefined && this.#secondOf(value) === second ? value : undefined;
  }

  #forget(key: K): void {
    const previous = this.#secondByKey.get(key);
    if (previous === undefined) return;
    this.#secondByKey.delete(key);
    if (this.#bySecond.get(previous) === key) this.#bySecond.delete(previous);
  }
}
