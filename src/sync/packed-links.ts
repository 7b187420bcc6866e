import type { LinkState } from './link-store.js';

/**
 * The in-memory index of `fileLinkStore`, packed so a million keys fit in a few hundred MB:
 *
 * - each key and all its links are one one-byte string (a "record"): the key, then per link the
 *   provider's number (providers are interned), the id, the fingerprint (32 raw bytes when it is
 *   the usual base64url SHA-256) and `verifiedAt` (6 bytes of epoch ms when it is a canonical ISO
 *   instant); anything else is kept as its UTF-8 bytes;
 * - key → record and (provider, id) → key are open-addressing tables in typed arrays (hash, slot),
 *   off the JS heap, with no object per entry.
 *
 * The reverse table keeps one key per contact: the one linked last. Once that key's link goes,
 * `findKey` answers `undefined` even if an older key still links the same contact (the
 * `LinkStore` contract allows it; it never names a key no longer linked).
 */

/** Every char is ASCII: UTF-8 then takes one byte per char. */
const isAscii = (text: string) => Buffer.byteLength(text, 'utf8') === text.length;

/** A string as a one-byte string of its UTF-8 bytes (ASCII stays as it is). */
export function toBytes(text: string): string {
  return isAscii(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** The reverse of {@link toBytes}. */
export function fromBytes(bytes: string): string {
  return isAscii(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}

function varint(value: number): string {
  let out = '';
  let rest = value;
  while (rest >= 0x80) {
    out += String.fromCharCode((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  return out + String.fromCharCode(rest);
}

/** FNV-1a over the char codes of a one-byte string, mixed with `seed`. */
function hashOf(bytes: string, seed: number): number {
  let hash = (0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  for (let index = 0; index < bytes.length; index++) {
    hash = Math.imul(hash ^ bytes.charCodeAt(index), 0x01000193);
  }
  // Finalizer (murmur3 fmix32) so low bits spread well for a power-of-two table.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A linear-probing table of (hash, slot) pairs in one Uint32Array; slot 0 means empty. */
class SlotTable {
  private data: Uint32Array;
  private mask: number;
  count = 0;

  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.data.byteLength;
  }

  /** The position of the entry with `hash` whose slot `matches`, or -1. */
  find(hash: number, matches: (slot: number) => boolean): number {
    let index = hash & this.mask;
    for (;;) {
      const stored = this.data[index * 2 + 1] as number;
      if (stored === 0) return -1;
      if (this.data[index * 2] === hash && matches(stored - 1)) return index;
      index = (index + 1) & this.mask;
    }
  }

  slotAt(position: number): number {
    return (this.data[position * 2 + 1] as number) - 1;
  }

  setSlotAt(position: number, slot: number): void {
    this.data[position * 2 + 1] = slot + 1;
  }

  insert(hash: number, slot: number): void {
    if ((this.count + 1) * 5 > (this.mask + 1) * 4) this.grow();
    this.place(hash, slot);
    this.count++;
  }

  private place(hash: number, slot: number): void {
    let index = hash & this.mask;
    while (this.data[index * 2 + 1] !== 0) index = (index + 1) & this.mask;
    this.data[index * 2] = hash;
    this.data[index * 2 + 1] = slot + 1;
  }

  /** Removes the entry at `position`, shifting the entries after it back (no tombstones). */
  removeAt(position: number): void {
    const { data, mask } = this;
    let hole = position;
    let next = hole;
    for (;;) {
      next = (next + 1) & mask;
      if (data[next * 2 + 1] === 0) break;
      const home = (data[next * 2] as number) & mask;
      // Moves `next` into the hole unless its home lies cyclically in (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!between) {
        data[hole * 2] = data[next * 2] as number;
        data[hole * 2 + 1] = data[next * 2 + 1] as number;
        hole = next;
      }
    }
    data[hole * 2] = 0;
    data[hole * 2 + 1] = 0;
    this.count--;
  }

  private grow(): void {
    const old = this.data;
    const capacity = (this.mask + 1) * 2;
    this.data = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
    for (let index = 0; index < old.length; index += 2) {
      const stored = old[index + 1] as number;
      if (stored !== 0) this.place(old[index] as number, stored - 1);
    }
  }
}

const HAS_FINGERPRINT = 1;
const PACKED_FINGERPRINT = 2;
const HAS_VERIFIED = 4;
const PACKED_VERIFIED = 8;

/** One link as it sits in a record: the id's bytes and the packed fingerprint and instant. */
interface RawLink {
  provider: number;
  flags: number;
  id: string;
  /** The fingerprint and `verifiedAt` as encoded (see `flags`). */
  tail: string;
}

interface Decoded {
  key: string;
  links: RawLink[];
}

function encodeFingerprint(fingerprint: string): { flags: number; bytes: string } {
  if (fingerprint.length === 43) {
    const raw = Buffer.from(fingerprint, 'base64url');
    if (raw.length === 32 && raw.toString('base64url') === fingerprint) {
      return { flags: HAS_FINGERPRINT | PACKED_FINGERPRINT, bytes: raw.toString('latin1') };
    }
  }
  const bytes = toBytes(fingerprint);
  return { flags: HAS_FINGERPRINT, bytes: varint(bytes.length) + bytes };
}

let lastVerified: { text: string; encoded: { flags: number; bytes: string } } | undefined;

/** `verifiedAt` as 6 bytes of epoch ms when it is canonical; the last one is remembered (a batch shares it). */
function encodeVerified(verifiedAt: string): { flags: number; bytes: string } {
  if (lastVerified?.text === verifiedAt) return lastVerified.encoded;
  const encoded = encodeVerifiedOnce(verifiedAt);
  lastVerified = { text: verifiedAt, encoded };
  return encoded;
}

function encodeVerifiedOnce(verifiedAt: string): { flags: number; bytes: string } {
  const ms = Date.parse(verifiedAt);
  if (
    Number.isInteger(ms) &&
    ms >= 0 &&
    ms < 2 ** 48 &&
    new Date(ms).toISOString() === verifiedAt
  ) {
    let bytes = '';
    let rest = ms;
    for (let index = 0; index < 6; index++) {
      bytes = String.fromCharCode(rest % 256) + bytes;
      rest = Math.floor(rest / 256);
    }
    return { flags: HAS_VERIFIED | PACKED_VERIFIED, bytes };
  }
  const bytes = toBytes(verifiedAt);
  return { flags: HAS_VERIFIED, bytes: varint(bytes.length) + bytes };
}

/** A link of `state` at provider number `provider`, packed. */
function rawLink(provider: number, state: LinkState): RawLink {
  let flags = 0;
  let tail = '';
  if (state.fingerprint !== undefined) {
    const fingerprint = encodeFingerprint(state.fingerprint);
    flags |= fingerprint.flags;
    tail += fingerprint.bytes;
  }
  if (state.verifiedAt !== undefined) {
    const verified = encodeVerified(state.verifiedAt);
    flags |= verified.flags;
    tail += verified.bytes;
  }
  return { provider, flags, id: toBytes(state.id), tail };
}

/** The public state of a packed link. */
function stateOf(link: RawLink): LinkState {
  const state: LinkState = { id: fromBytes(link.id) };
  const reader = new Reader(link.tail);
  if (link.flags & HAS_FINGERPRINT) {
    state.fingerprint =
      link.flags & PACKED_FINGERPRINT
        ? Buffer.from(reader.take(32), 'latin1').toString('base64url')
        : fromBytes(reader.take(reader.varint()));
  }
  if (link.flags & HAS_VERIFIED) {
    if (link.flags & PACKED_VERIFIED) {
      let ms = 0;
      for (const char of reader.take(6)) ms = ms * 256 + char.charCodeAt(0);
      state.verifiedAt = new Date(ms).toISOString();
    } else {
      state.verifiedAt = fromBytes(reader.take(reader.varint()));
    }
  }
  return state;
}

/**
 * One flat one-byte string for a record. Joined, then copied once through a buffer: a string made
 * by `+` is a tree of concatenations (a "cons string") that would stay alive per record.
 */
function encodeRecord(keyBytes: string, links: readonly RawLink[]): string {
  let record = varint(keyBytes.length) + keyBytes;
  for (const link of links) {
    record += varint(link.provider) + String.fromCharCode(link.flags);
    record += varint(link.id.length) + link.id + link.tail;
  }
  return Buffer.from(record, 'latin1').toString('latin1');
}

/** Reads records. */
class Reader {
  position = 0;
  constructor(readonly text: string) {}
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const code = this.text.charCodeAt(this.position++);
      value += (code & 0x7f) * scale;
      if (!(code >= 0x80)) return value; // NaN past the end ends it too
      scale *= 0x80;
    }
  }
  take(length: number): string {
    const part = this.text.slice(this.position, this.position + length);
    this.position += length;
    return part;
  }
  /** Skips the encoded fingerprint and instant of a link with `flags`. */
  skipTail(flags: number): void {
    // Each length is read first: `position += this.varint()` would add to the position before it.
    if (flags & HAS_FINGERPRINT) {
      const length = flags & PACKED_FINGERPRINT ? 32 : this.varint();
      this.position += length;
    }
    if (flags & HAS_VERIFIED) {
      const length = flags & PACKED_VERIFIED ? 6 : this.varint();
      this.position += length;
    }
  }
  get done(): boolean {
    return this.position >= this.text.length;
  }
}

function decodeRecord(record: string): Decoded {
  const reader = new Reader(record);
  const key = reader.take(reader.varint());
  const links: RawLink[] = [];
  while (!reader.done) {
    const provider = reader.varint();
    const flags = reader.text.charCodeAt(reader.position++);
    const id = reader.take(reader.varint());
    const start = reader.position;
    reader.skipTail(flags);
    links.push({ provider, flags, id, tail: record.slice(start, reader.position) });
  }
  return { key, links };
}

/** The key of `record`, as bytes. */
function keyOf(record: string): string {
  const reader = new Reader(record);
  return reader.take(reader.varint());
}

/** Whether `record` is the record of `keyBytes`, compared in place. */
function recordIsFor(record: string, keyBytes: string): boolean {
  const reader = new Reader(record);
  const length = reader.varint();
  if (length !== keyBytes.length) return false;
  return record.startsWith(keyBytes, reader.position);
}

/** Whether `record` links `idBytes` at `provider`, read in place. */
function linksId(record: string, provider: number, idBytes: string): boolean {
  const reader = new Reader(record);
  const keyLength = reader.varint();
  reader.position += keyLength;
  while (!reader.done) {
    const number = reader.varint();
    const flags = reader.text.charCodeAt(reader.position++);
    const length = reader.varint();
    if (number === provider) {
      return length === idBytes.length && record.startsWith(idBytes, reader.position);
    }
    reader.position += length;
    reader.skipTail(flags);
  }
  return false;
}

/** The marks of one mirror run: a bit per slot, and keys marked while they had no link. */
interface RunMarks {
  bits: Uint8Array;
  unlinked: Set<string>;
  count: number;
}

/** The key index, reverse index, mirror marks and tombstones of a file store. */
export class PackedLinks {
  private readonly providers: string[] = [];
  private readonly providerNumbers = new Map<string, number>();
  private readonly records: (string | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly byKey = new SlotTable();
  private readonly byId = new SlotTable();
  private readonly runs = new Map<string, RunMarks>();
  readonly tombstones = new Set<string>();
  secret: string | undefined;
  /** Live links (key × provider). */
  links = 0;

  /** Linked keys. */
  get size(): number {
    return this.byKey.count;
  }

  /** Bytes the typed-array tables hold (the records are counted by the heap). */
  get tableBytes(): number {
    return this.byKey.bytes + this.byId.bytes;
  }

  private providerNumber(provider: string): number {
    let number = this.providerNumbers.get(provider);
    if (number === undefined) {
      number = this.providers.length;
      this.providers.push(provider);
      this.providerNumbers.set(provider, number);
    }
    return number;
  }

  private findKey(keyBytes: string): number {
    return this.byKey.find(hashOf(keyBytes, -1), (slot) =>
      recordIsFor(this.records[slot] as string, keyBytes),
    );
  }

  private findId(provider: number, idBytes: string): number {
    return this.byId.find(hashOf(idBytes, provider), (slot) =>
      linksId(this.records[slot] as string, provider, idBytes),
    );
  }

  private slotOf(key: string): number {
    const position = this.findKey(toBytes(key));
    return position < 0 ? -1 : this.byKey.slotAt(position);
  }

  getState(key: string): Map<string, LinkState> | undefined {
    const slot = this.slotOf(key);
    if (slot < 0) return undefined;
    const result = new Map<string, LinkState>();
    for (const link of decodeRecord(this.records[slot] as string).links) {
      result.set(this.providers[link.provider] as string, stateOf(link));
    }
    return result;
  }

  findKeyOf(provider: string, id: string): string | undefined {
    const number = this.providerNumbers.get(provider);
    if (number === undefined) return undefined;
    const position = this.findId(number, toBytes(id));
    if (position < 0) return undefined;
    return fromBytes(keyOf(this.records[this.byId.slotAt(position)] as string));
  }

  setState(key: string, provider: string, state: LinkState): void {
    this.setStates(key, [[provider, state]]);
  }

  /** Sets several links of one key at once (one lookup, one record written). */
  setStates(key: string, states: readonly (readonly [string, LinkState])[]): void {
    const keyBytes = toBytes(key);
    const position = this.findKey(keyBytes);
    let slot: number;
    let links: RawLink[];
    if (position < 0) {
      slot = this.free.pop() ?? this.records.length;
      links = [];
      this.records[slot] = '';
      this.byKey.insert(hashOf(keyBytes, -1), slot);
      this.adoptMarks(key, slot);
    } else {
      slot = this.byKey.slotAt(position);
      links = decodeRecord(this.records[slot] as string).links;
    }
    const added: RawLink[] = [];
    for (const [provider, state] of states) {
      const number = this.providerNumber(provider);
      const link = rawLink(number, state);
      const index = links.findIndex((existing) => existing.provider === number);
      if (index >= 0) {
        const previous = links[index] as RawLink;
        const pending = added.indexOf(previous);
        if (pending >= 0) added.splice(pending, 1);
        else this.unlinkId(slot, number, previous.id);
        links[index] = link;
      } else {
        links.push(link);
        this.links++;
      }
      added.push(link);
    }
    this.records[slot] = encodeRecord(keyBytes, links);
    for (const link of added) {
      // One key per contact: the one linked last takes the entry.
      const existing = this.findId(link.provider, link.id);
      if (existing >= 0) this.byId.setSlotAt(existing, slot);
      else this.byId.insert(hashOf(link.id, link.provider), slot);
    }
  }

  private unlinkId(slot: number, provider: number, idBytes: string): void {
    const position = this.findId(provider, idBytes);
    if (position >= 0 && this.byId.slotAt(position) === slot) this.byId.removeAt(position);
  }

  delete(key: string, provider?: string): void {
    const keyBytes = toBytes(key);
    const position = this.findKey(keyBytes);
    if (position < 0) return;
    const slot = this.byKey.slotAt(position);
    const number = provider === undefined ? undefined : this.providerNumbers.get(provider);
    if (provider !== undefined && number === undefined) return;
    const links = decodeRecord(this.records[slot] as string).links;
    const kept: RawLink[] = [];
    for (const link of links) {
      if (number === undefined || link.provider === number) {
        this.unlinkId(slot, link.provider, link.id);
        this.links--;
      } else {
        kept.push(link);
      }
    }
    if (kept.length) {
      this.records[slot] = encodeRecord(keyBytes, kept);
      return;
    }
    this.byKey.removeAt(position);
    this.records[slot] = undefined;
    this.free.push(slot);
    for (const marks of this.runs.values()) clearBit(marks, slot);
  }

  /** Every linked key, by slot (a key added while iterating may or may not be seen). */
  *keys(): Generator<string> {
    for (let slot = 0; slot < this.records.length; slot++) {
      const record = this.records[slot];
      if (record) yield fromBytes(keyOf(record));
    }
  }

  /** Every link, as `[key, provider, state]`. */
  *entries(): Generator<[string, string, LinkState]> {
    for (const record of this.records) {
      if (!record) continue;
      const { key, links } = decodeRecord(record);
      const text = fromBytes(key);
      for (const link of links)
        yield [text, this.providers[link.provider] as string, stateOf(link)];
    }
  }

  markSeen(run: string, keys: readonly string[]): void {
    let marks = this.runs.get(run);
    if (!marks) {
      marks = {
        bits: new Uint8Array(Math.ceil(this.records.length / 8) + 1),
        unlinked: new Set(),
        count: 0,
      };
      this.runs.set(run, marks);
    }
    for (const key of keys) {
      const slot = this.slotOf(key);
      if (slot < 0) marks.unlinked.add(key);
      else setBit(marks, slot);
    }
  }

  /** A key linked anew takes the marks runs gave it while it had no link. */
  private adoptMarks(key: string, slot: number): void {
    for (const marks of this.runs.values()) {
      if (marks.unlinked.delete(key)) setBit(marks, slot);
    }
  }

  *unseen(run: string): Generator<string> {
    for (let slot = 0; slot < this.records.length; slot++) {
      const record = this.records[slot];
      if (!record) continue;
      const marks = this.runs.get(run);
      if (marks && hasBit(marks, slot)) continue;
      yield fromBytes(keyOf(record));
    }
  }

  endRun(run: string): void {
    this.runs.delete(run);
  }

  /** Every run with the keys it marked (linked or not), for compaction. */
  *marks(): Generator<[string, Generator<string>]> {
    for (const [run, marks] of this.runs) {
      const records = this.records;
      yield [
        run,
        (function* () {
          for (let slot = 0; slot < records.length; slot++) {
            const record = records[slot];
            if (record && hasBit(marks, slot)) yield fromBytes(keyOf(record));
          }
          yield* marks.unlinked;
        })(),
      ];
    }
  }

  /** Marked keys over every run (for the compaction estimate). */
  get markCount(): number {
    let count = 0;
    for (const marks of this.runs.values()) count += marks.count + marks.unlinked.size;
    return count;
  }
}

function setBit(marks: RunMarks, slot: number): void {
  const byte = slot >> 3;
  if (byte >= marks.bits.length) {
    const grown = new Uint8Array(Math.max(byte + 1, marks.bits.length * 2));
    grown.set(marks.bits);
    marks.bits = grown;
  }
  const bit = 1 << (slot & 7);
  if (!((marks.bits[byte] as number) & bit)) {
    marks.bits[byte] = (marks.bits[byte] as number) | bit;
    marks.count++;
  }
}

function clearBit(marks: RunMarks, slot: number): void {
  const byte = slot >> 3;
  const bit = 1 << (slot & 7);
  if (byte < marks.bits.length && (marks.bits[byte] as number) & bit) {
    marks.bits[byte] = (marks.bits[byte] as number) & ~bit;
    marks.count--;
  }
}

function hasBit(marks: RunMarks, slot: number): boolean {
  const byte = slot >> 3;
  return byte < marks.bits.length && ((marks.bits[byte] as number) & (1 << (slot & 7))) !== 0;
}
