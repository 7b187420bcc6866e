import type { ContactPatch } from '../../src/contact.js';
import type { HttpClient } from '../../src/http.js';
import { pageOf } from './api.js';
import { toCallbellError } from './errors.js';
import { createFieldTypeCache, type FieldTypes, toTypedFields, typesOf } from './fields.js';
import { type CallbellFieldMap, type CallbellFields, toCallbellFields } from './mappers.js';
import { fieldTypesRequest } from './requests.js';

const provider = 'callbell';

/**
 * Custom-field values in the type their field takes. The types are read once per store, and only
 * when a write carries custom fields, from the first page of `GET /contacts` with
 * `include_field_types=true` (no endpoint lists the account's fields; a field no contact of that
 * page holds stays untyped and is sent as the text given).
 */
export function createTypedFields(
  http: HttpClient,
  fieldMap: CallbellFieldMap,
  channelUuid: string | undefined,
) {
  const cache = createFieldTypeCache(async () => {
    const spec = fieldTypesRequest(channelUuid);
    const page = await http.request(spec, (response) => {
      if (response.status >= 200 && response.status < 300)
        return pageOf(response.body, spec.operation);
      throw toCallbellError(http, response, spec);
    });
    const types = new Map();
    for (const { contact } of page.contacts) {
      for (const [name, type] of typesOf(contact.customFieldsMetadata)) types.set(name, type);
    }
    return types as FieldTypes;
  });

  return {
    known: cache.known,

    /**
     * The validation step: with the types already read, a value that cannot take its field's type
     * is `invalid_input` naming the input path, before any request.
     */
    check(input: ContactPatch, operation: string): void {
      const types = cache.known();
      if (!types) return;
      const { value, sources = {} } = toCallbellFields(input, fieldMap);
      toTypedFields(stringsOf(value), types, sources, { provider, operation });
    },

    /** `fields` with typed custom-field values (reading the types first, once); or it throws. */
    async typed<T extends CallbellFields>(
      fields: T,
      sources: Record<string, string> | undefined,
      call: { signal?: AbortSignal },
      operation: string,
    ): Promise<T> {
      if (!fields.custom_fields || Object.keys(fields.custom_fields).length === 0) return fields;
      const types = await cache.get(call.signal);
      const custom = toTypedFields(stringsOf(fields), types, sources ?? {}, {
        provider,
        operation,
      });
      return { ...fields, custom_fields: custom };
    },

    /** For `preview` (no I/O): typed with the types already read, else as given. */
    previewed<T extends CallbellFields>(fields: T, sources?: Record<string, string>): T {
      const types = cache.known();
      if (!types || !fields.custom_fields) return fields;
      const custom = toTypedFields(stringsOf(fields), types, sources ?? {}, {
        provider,
        operation: 'preview',
      });
      return { ...fields, custom_fields: custom };
    },
  };
}

/** The mapped values, which are still text before typing. */
function stringsOf(fields: CallbellFields): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields.custom_fields ?? {})) {
    texts[name] = Array.isArray(value) ? JSON.stringify(value) : value;
  }
  return texts;
}
