import {
  type ContactInput,
  type ContactStoreConfig,
  ContactSyncError,
  createContactStore,
  type UpsertResult,
} from 'contact-sync';

/**
 * Upserts one contact at the vendor a JSON store configuration names (as read from an environment
 * variable such as `CONTACT_STORE`). Changing vendor is changing that JSON: this code names none.
 */
export async function upsertContact(
  configJson: string,
  contact: ContactInput,
): Promise<UpsertResult> {
  let config: unknown;
  try {
    config = JSON.parse(configJson);
  } catch (cause) {
    // The parser's message quotes the text, which holds the key: keep it in `cause` only.
    throw new ContactSyncError({
      code: 'invalid_config',
      message: 'The store configuration is not valid JSON',
      issues: [{ path: 'config', message: 'expected a JSON object' }],
      cause,
    });
  }
  // createContactStore checks the configuration itself (provider, credentials, options).
  const store = createContactStore(config as ContactStoreConfig);
  return store.upsert(contact);
}
