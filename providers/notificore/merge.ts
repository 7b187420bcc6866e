import type { FieldEntry } from './api.js';
import type { FieldRouting } from './fields.js';
import type { NotificoreFieldValue } from './mappers.js';

/**
 * The complete `fields` of an update: every value the contact holds, with the patch's values
 * written over them (`""` clears one). Sent whole, an update is right whether Notificore's `PUT`
 * replaces the fields (what the verb and the SDK's model suggest) or merges them (what the docs'
 * wording suggests): neither reading can erase a value the patch did not name.
 */
export function mergeFields(
  held: readonly FieldEntry[],
  refId: FieldRouting['refId'],
  patched: readonly NotificoreFieldValue[],
): { fields: NotificoreFieldValue[]; changed: boolean; unknown: number } {
  const merged = new Map<number, string>();
  let unknown = 0;
  for (const entry of held) {
    const id = refId(entry.ref);
    if (id === undefined) unknown += 1;
    else merged.set(id, entry.value);
  }
  let changed = false;
  for (const { id, value } of patched) {
    if ((merged.get(id) ?? '') !== value) changed = true;
    merged.set(id, value);
  }
  const fields = [...merged].map(([id, value]) => ({ id, value }));
  return { fields, changed, unknown };
}
