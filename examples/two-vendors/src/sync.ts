import {
  type ContactStoreConfig,
  type ContactSync,
  createContactStore,
  createContactSync,
  fileLinkStore,
  type LinkStore,
} from 'contact-sync';

/**
 * A ContactSync writing to two vendors, remembering each vendor's id under the CRM's key in a
 * file: the next run of the same record updates the contacts it created instead of creating
 * them again. Close `links` when done (it compacts the file).
 */
export function createTwoVendorSync(options: {
  stores: [ContactStoreConfig, ContactStoreConfig];
  linksPath: string;
}): { sync: ContactSync; links: LinkStore } {
  const links = fileLinkStore(options.linksPath);
  const sync = createContactSync({
    stores: options.stores.map((config) => createContactStore(config)),
    links,
    defaultCountry: 'FR',
  });
  return { sync, links };
}
