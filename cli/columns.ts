import { MAPPABLE_FIELDS } from '../src/contact.js';

/** A file that cannot be read as its format says (exit status 2, nothing sent). */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}

/** The CSV columns of the common contact fields (every other column is a custom field). */
export const CSV_CONTACT_COLUMNS = ['phone', ...MAPPABLE_FIELDS, 'tags', 'assignedUser'] as const;

/** A column read as a contact field under another header, and why. */
export interface ColumnRead {
  header: string;
  field: string;
  /** `mapping`: `columns` or `--column` named it; `spelling`: a known spelling of the field. */
  by: 'mapping' | 'spelling';
}

/** The fields a header may stand for: the record's key and the contact columns. */
const FIELDS = ['key', ...CSV_CONTACT_COLUMNS] as const;

/**
 * Common French and English spellings of each field's header, compared without case, accents,
 * spaces or punctuation (`Téléphone`, `TELEPHONE`, `tél.` and `Numéro de téléphone` all match).
 * A spelling that could mean two things (`numéro`, `nom` alone as a full name) is left out or
 * given to the field a French CRM means by it: `Nom` beside `Prénom` is the last name.
 */
const SPELLINGS: Record<(typeof FIELDS)[number], readonly string[]> = {
  key: [
    'id',
    'identifiant',
    'identifier',
    'ref',
    'reference',
    'idclient',
    'codeclient',
    'numeroclient',
    'noclient',
    'nclient',
    'clientid',
    'customerid',
    'contactid',
    'idcontact',
    'crmid',
    'externalid',
  ],
  phone: [
    'telephone',
    'tel',
    'numerodetelephone',
    'numerotelephone',
    'notelephone',
    'ntelephone',
    'telephoneportable',
    'telportable',
    'portable',
    'mobile',
    'telmobile',
    'telephonemobile',
    'gsm',
    'phonenumber',
    'mobilephone',
    'mobilenumber',
    'cellphone',
    'cell',
    'msisdn',
  ],
  firstName: ['prenom', 'firstname', 'givenname', 'first'],
  lastName: ['nom', 'nomdefamille', 'lastname', 'surname', 'familyname', 'last'],
  name: ['nomcomplet', 'fullname', 'displayname', 'nomaffiche', 'name'],
  birthday: [
    'datedenaissance',
    'naissance',
    'anniversaire',
    'birthdate',
    'dateofbirth',
    'dob',
    'birthday',
  ],
  url: ['siteweb', 'siteinternet', 'site', 'web', 'website', 'lien', 'url'],
  tags: ['etiquettes', 'etiquette', 'tag', 'tags', 'labels', 'label', 'segments', 'segment'],
  assignedUser: ['responsable', 'assigne', 'assigneduser', 'assignedto', 'owner', 'proprietaire'],
};

/** A header compared as the spellings are: no case, no accents, letters and digits only. */
export function headerSpelling(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const BY_SPELLING = new Map<string, string>(
  FIELDS.flatMap((field) =>
    [headerSpelling(field), ...SPELLINGS[field]].map((spelling) => [spelling, field] as const),
  ),
);

/**
 * The name each column is read under: a `mapping` entry (field → header) first, then a header
 * that is the field's own name, then a known spelling of a field no other column holds; any
 * other header is a custom field of that name. Two columns that would fill one field are refused,
 * naming both (one would silently lose its values).
 */
export function resolveColumns(
  path: string,
  headers: readonly string[],
  mapping: Record<string, string> = {},
): { names: string[]; renamed: ColumnRead[] } {
  const names: (string | undefined)[] = headers.map(() => undefined);
  const by: (ColumnRead['by'] | undefined)[] = headers.map(() => undefined);
  const owner = new Map<string, number>();
  const claim = (index: number, field: string, how: ColumnRead['by'] | undefined) => {
    const other = owner.get(field);
    if (other !== undefined && other !== index) {
      throw new InputFileError(
        `${path}: line 1: columns "${headers[other]}" and "${headers[index]}" would both be read as ${field}; name the one to use with --column ${field}=… (or "columns" in the config file)`,
      );
    }
    owner.set(field, index);
    names[index] = field;
    by[index] = how;
  };
  for (const [field, header] of Object.entries(mapping)) {
    let index = headers.indexOf(header);
    if (index === -1) {
      const matches = headers.flatMap((name, at) =>
        headerSpelling(name) === headerSpelling(header) ? [at] : [],
      );
      if (matches.length === 1) index = matches[0] as number;
    }
    if (index === -1) {
      throw new InputFileError(
        `${path}: the columns setting ${field}="${header}" names no column of the header (it has ${headers.map((name) => `"${name}"`).join(', ')})`,
      );
    }
    if (names[index] !== undefined) {
      throw new InputFileError(
        `${path}: the columns setting names column "${header}" twice (as ${names[index]} and ${field})`,
      );
    }
    claim(index, field, headers[index] === field ? undefined : 'mapping');
  }
  // A header that is exactly a field's name keeps it, before any spelling is considered.
  for (const [index, header] of headers.entries()) {
    if (names[index] !== undefined) continue;
    if ((FIELDS as readonly string[]).includes(header) && !owner.has(header)) {
      claim(index, header, undefined);
    }
  }
  for (const [index, header] of headers.entries()) {
    if (names[index] !== undefined) continue;
    const field = BY_SPELLING.get(headerSpelling(header));
    if (field !== undefined && (FIELDS as readonly string[]).includes(header)) {
      // The field's own name, already held by a mapped column: this one stays a custom field.
      names[index] = header;
    } else if (field !== undefined && !isExplicit(owner, field, by)) {
      claim(index, field, 'spelling');
    } else {
      names[index] = header;
    }
  }
  const renamed: ColumnRead[] = [];
  for (const [index, header] of headers.entries()) {
    const how = by[index];
    if (how) renamed.push({ header, field: names[index] as string, by: how });
  }
  return { names: names as string[], renamed };
}

/** Whether a field is held by a mapped column or a column of its own name (not by a spelling). */
function isExplicit(
  owner: Map<string, number>,
  field: string,
  by: (ColumnRead['by'] | undefined)[],
): boolean {
  const index = owner.get(field);
  return index !== undefined && by[index] !== 'spelling';
}

/** The characters tags are split on: the option's, else `;`, and `,` too when `,` is no separator. */
export function tagSeparatorsFor(delimiter: string, option?: string): string {
  if (option !== undefined) return option;
  return delimiter === ',' ? ';' : ';,';
}

/** `';' and ','` for a message. */
export function describeSeparators(separators: string): string {
  const shown = [...separators].map((char) => (char === '\t' ? 'tab' : `'${char}'`));
  return shown.length > 1
    ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
    : (shown[0] ?? '');
}

/** `read "Téléphone" as phone, "Prénom" as firstName` for the summary. */
export function describeRenamed(renamed: readonly ColumnRead[]): string {
  return renamed.map((read) => `"${read.header}" as ${read.field}`).join(', ');
}
