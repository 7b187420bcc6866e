import { scopedSignal } from './abort.js';
import type { Contact } from './contact.js';
import type { ListOptions } from './contact-store.js';
import { invalidInput } from './errors.js';
import type { ContactStoreDriver } from './store.js';
import { signalOf, tagged } from './store-checks.js';

/** `list` of a store: its options checked, every page followed up to `limit`. */
export async function* listAll(
  driver: ContactStoreDriver,
  options: ListOptions,
): AsyncIterable<Contact> {
  const operation = { provider: driver.provider, operation: 'list' };
  if (typeof options !== 'object') {
    throw invalidInput(
      [{ path: 'options', message: 'expected an object { limit, signal }' }],
      operation,
    );
  }
  const scope = scopedSignal(signalOf(options, 'list'));
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    scope.release();
    throw invalidInput([{ path: 'limit', message: 'expected a whole number ≥ 0' }], operation);
  }
  if (options.limit === 0) return scope.release();
  let count = 0;
  try {
    for await (const contact of driver.list({ ...options, signal: scope.signal })) {
      yield contact;
      count += 1;
      if (options.limit !== undefined && count >= options.limit) return;
    }
  } catch (error) {
    throw tagged(error, driver.provider, 'list');
  } finally {
    scope.release();
  }
}
