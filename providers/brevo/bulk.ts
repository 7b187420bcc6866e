import type { Contact, ContactInput } from '../../src/contact.js';
import { ContactSyncError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http.js';
import { phoneOf } from '../../src/identity.js';
import { ImportStartedSchema, ProcessSchema, parsed } from './api.js';
import type { AttributeValue } from './attributes.js';
import type { BrevoPlan } from './driver.js';
import { toBrevoError } from './errors.js';
import { type BrevoReader, isSuccess } from './list.js';
import type { ParsedBrevoOptions } from './options.js';
import { type CallContext, importRequest, processRequest } from './requests.js';

const provider = 'brevo';

/** Rows per import: far below Brevo's 10 MB body. */
export const IMPORT_ROWS = 1000;

/**
 * `upsertMany`'s bulk create through Brevo's import (`POST /contacts/import`, `jsonBody`,
 * `updateExistingContacts: false`, so a replay or a phone held meanwhile creates nothing twice),
 * the process polled at `GET /processes/{id}` with doubling waits (Brevo allows 100 such reads an
 * hour). The import answers no ids: each row is then looked up by its SMS number. When the process
 * reports duplicate phones, a row found is a `conflict` (it may be someone else's contact) and the
 * store upserts it on its own; so is a row the import left out. `/contacts/batch` is not used:
 * it updates only, and Brevo deprecates it from 2026-10-30.
 */
export function createBrevoImport(
  http: HttpClient,
  read: BrevoReader,
  options: ParsedBrevoOptions & { listIds: number[] },
  typed: (plan: BrevoPlan, signal?: AbortSignal) => Promise<Record<string, AttributeValue>>,
) {
  const wait = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });

  /** Polls the process until it ends: its import report, or an error for every row. */
  async function finished(processId: string, call: CallContext) {
    const deadline = Date.now() + options.importTimeoutMs;
    let delay = options.importPollMs;
    for (;;) {
      const spec = processRequest(processId, call);
      const process = await http.request(spec, (response) => {
        if (response.status === 200) return parsed(ProcessSchema, response.body, spec);
        throw toBrevoError(http, response, spec);
      });
      if (process.status === 'completed') return process.info?.import ?? {};
      if (process.status === 'failed' || process.status === 'cancelled') {
        throw failedImport(`the import ${process.status}`);
      }
      if (Date.now() + delay > deadline) throw failedImport('the import did not finish in time');
      await wait(delay, call.signal);
      delay = Math.min(Math.max(delay * 2, 1), 30_000);
    }
  }

  async function chunk(
    inputs: readonly ContactInput[],
    plans: readonly BrevoPlan[],
    call: CallContext,
    phoneAttributes: (phone: string) => Record<string, AttributeValue>,
  ): Promise<PromiseSettledResult<Contact>[]> {
    // A row whose attributes cannot be typed is its own failure; the others are imported.
    const typedRows = await Promise.allSettled(
      inputs.map(async (input, index) => ({
        attributes: {
          ...(await typed(plans[index] as BrevoPlan, call.signal)),
          ...phoneAttributes(phoneOf(input, provider, 'upsert')),
        },
      })),
    );
    const sent = inputs.flatMap((input, index) =>
      typedRows[index]?.status === 'fulfilled' ? [{ input, index }] : [],
    );
    const outcomes: PromiseSettledResult<Contact>[] = typedRows.map((row) =>
      row.status === 'rejected' ? row : { status: 'rejected', reason: undefined },
    );
    if (sent.length === 0) return outcomes;
    const rows = sent.map(
      ({ index }) =>
        (typedRows[index] as PromiseFulfilledResult<{ attributes: Record<string, AttributeValue> }>)
          .value,
    );
    const spec = importRequest(
      {
        jsonBody: rows,
        listIds: [...options.listIds],
        updateExistingContacts: false,
        emptyContactsAttributes: false,
        disableNotification: true,
      },
      sent.map(({ input }) => phoneOf(input, provider, 'upsert')),
      call,
    );
    const started = await http.request(spec, (response) => {
      if (isSuccess(response)) return parsed(ImportStartedSchema, response.body, spec);
      throw toBrevoError(http, response, spec);
    });
    const report = await finished(String(started.processId), call);
    const duplicates = Boolean(report.duplicate_phone_id || report.duplicate_whatsapp_id);
    await Promise.all(
      sent.map(async ({ input, index }) => {
        outcomes[index] = await outcomeOf(input, duplicates, call);
      }),
    );
    return outcomes;
  }

  async function outcomeOf(
    input: ContactInput,
    duplicates: boolean,
    call: CallContext,
  ): Promise<PromiseSettledResult<Contact>> {
    try {
      const phone = phoneOf(input, provider, 'upsert');
      const found = await read.findByPhone(phone, { signal: call.signal }, 'upsert');
      // Whether Brevo imports a row without an email is unconfirmed: a row the import left out is
      // handed back as a `conflict` without an id, which the store upserts on its own (a lookup,
      // then a single create), so the row is written either way.
      if (!found) {
        const reason = new ContactSyncError({ code: 'conflict', provider, operation: 'upsert' });
        return { status: 'rejected', reason };
      }
      if (duplicates) {
        const reason = new ContactSyncError({
          code: 'conflict',
          provider,
          operation: 'upsert',
          existingId: found.id,
        });
        return { status: 'rejected', reason };
      }
      return { status: 'fulfilled', value: found };
    } catch (error) {
      return { status: 'rejected', reason: error };
    }
  }

  return {
    async createMany(
      inputs: readonly ContactInput[],
      plans: readonly BrevoPlan[],
      call: CallContext,
      phoneAttributes: (phone: string) => Record<string, AttributeValue>,
    ): Promise<PromiseSettledResult<Contact>[]> {
      const outcomes: PromiseSettledResult<Contact>[] = [];
      for (let start = 0; start < inputs.length; start += IMPORT_ROWS) {
        const part = inputs.slice(start, start + IMPORT_ROWS);
        try {
          outcomes.push(
            ...(await chunk(part, plans.slice(start, start + IMPORT_ROWS), call, phoneAttributes)),
          );
        } catch (error) {
          // The whole call failed (a refused import, a failed process): every row of it, retryable or not.
          for (const _ of part) outcomes.push({ status: 'rejected', reason: error });
        }
      }
      return outcomes;
    },
  };
}

function failedImport(detail: string): ContactSyncError {
  return new ContactSyncError({
    code: 'provider_error',
    provider,
    operation: 'upsert',
    retryable: true,
    detail,
  });
}
