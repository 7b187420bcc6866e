import * as v from 'valibot';
import {
  ContactSyncError,
  type ContactSyncErrorCode,
  type ValidationIssue,
} from '../../src/errors.js';
import {
  codeForStatus,
  type HttpClient,
  type HttpResponse,
  type RequestSpec,
} from '../../src/http.js';
import {
  SmsPartnerBulkResponseSchema,
  type SmsPartnerEnvelope,
  SmsPartnerEnvelopeSchema,
  SmsPartnerValidationErrorsSchema,
} from './api.js';
import { phoneFromSmsPartner } from './phone.js';

/**
 * Body codes → our codes. 20/30/40/96 (account deactivated, blocked, API access denied, IP not
 * allowed) are credential problems a retry cannot fix.
 */
const CODES: ReadonlyMap<number, ContactSyncErrorCode> = new Map([
  [1, 'invalid_input'],
  [2, 'invalid_input'],
  [9, 'invalid_input'],
  [90, 'invalid_input'],
  [10, 'unauthorized'],
  [20, 'unauthorized'],
  [30, 'unauthorized'],
  [40, 'unauthorized'],
  [96, 'unauthorized'],
  [15, 'conflict'],
  [404, 'not_found'],
  [500, 'provider_error'],
]);

const GROUP_SCOPED = new Set(['/contact/add', '/contact/list']);

/** Where a code-9 `elementId` names a field, the common path it came from. */
export type IssuePathOf = (elementId: string) => string;

/**
 * Reads SMS Partner's answer: `success` and `code` come from the body whatever the HTTP status
 * (the vendor is unconfirmed to use 4xx), except 408, 429 and 5xx, which map by status and are
 * retried. Returns the body of a success; throws the `ContactSyncError` otherwise.
 */
export function readSmsPartnerBody(
  http: HttpClient,
  spec: RequestSpec,
  response: HttpResponse,
  issuePathOf: IssuePathOf,
): unknown {
  const { status } = response;
  if (status === 408 || status === 429 || status >= 500) throw http.failure(response, spec);
  const parsed = v.safeParse(SmsPartnerEnvelopeSchema, response.body);
  if (!parsed.success) {
    // Not SMS Partner's envelope (a proxy, a wrong baseUrl): only an auth status is meaningful.
    const code = status === 401 || status === 403 ? 'unauthorized' : 'invalid_response';
    throw http.failure(response, spec, { code, retryable: false });
  }
  const envelope = parsed.output;
  // `code: 200` means success even where `success` is false: the doc bug of group/list.
  if (envelope.success || (envelope.code === 200 && status < 400)) return response.body;
  throw smsPartnerFailure(http, spec, response, envelope, issuePathOf);
}

function smsPartnerFailure(
  http: HttpClient,
  spec: RequestSpec,
  response: HttpResponse,
  envelope: SmsPartnerEnvelope,
  issuePathOf: IssuePathOf,
): ContactSyncError {
  const providerCode = envelope.code ?? undefined;
  // An unknown code is the vendor's own failure; without a code, the HTTP status is all we have.
  const code =
    providerCode !== undefined
      ? (CODES.get(providerCode) ?? 'provider_error')
      : response.status >= 400
        ? codeForStatus(response.status)
        : 'provider_error';
  // On contact/add and contact/list the only thing that can be missing is the configured group.
  if (code === 'not_found' && GROUP_SCOPED.has(spec.route)) {
    return http.failure(response, spec, {
      code: 'invalid_config',
      providerCode,
      retryable: false,
      issues: [{ path: 'groupId', message: 'SMS Partner has no such group in this account' }],
    });
  }
  const issues =
    code === 'invalid_input' ? validationIssues(http, spec, envelope, issuePathOf) : undefined;
  return http.failure(response, spec, {
    code,
    providerCode,
    // Body code 500 ("could not queue") is the vendor's own transient failure.
    retryable: providerCode === 500,
    ...(issues ? { issues } : {}),
  });
}

/** Code 9's `error[]` as issues: the field it names, the vendor's message (redacted). */
function validationIssues(
  http: HttpClient,
  spec: RequestSpec,
  envelope: SmsPartnerEnvelope,
  issuePathOf: IssuePathOf,
): ValidationIssue[] | undefined {
  const parsed = v.safeParse(SmsPartnerValidationErrorsSchema, envelope.error);
  if (!parsed.success || parsed.output.length === 0) return undefined;
  return parsed.output.map((item) => ({
    path: issuePathOf(http.redact(item.elementId ?? '', spec)),
    message: http.redact(item.message ?? 'refused by SMS Partner', spec).slice(0, 200),
  }));
}

/**
 * Reads the answer of a bulk add (`contactsList`). A request-level failure comes in the usual
 * envelope (`success: false` and a code: a bad key, an unknown group, too many rows) and throws;
 * otherwise the answer has no `success` at all, and this returns the rows it reports as failed,
 * by E.164 phone, each as the error a single add of it would have given. An answer about another
 * group than `groupId` is not adopted.
 */
export function readSmsPartnerBulkBody(
  http: HttpClient,
  spec: RequestSpec,
  response: HttpResponse,
  groupId: string,
): Map<string, ContactSyncError> {
  const body = response.body as Record<string, unknown> | null;
  if (response.status >= 400 || (body && typeof body === 'object' && 'success' in body)) {
    readSmsPartnerBody(http, spec, response, () => 'contactsList');
  }
  const parsed = v.safeParse(SmsPartnerBulkResponseSchema, body);
  const invalid = (detail: string) =>
    http.failure(response, spec, { code: 'invalid_response', retryable: false, detail });
  if (!parsed.success || (!parsed.output.rapport && !parsed.output.results)) {
    throw invalid('not the answer of a bulk add');
  }
  const token = parsed.output.groupe?.token;
  if (token !== undefined && token !== null && token !== groupId) {
    throw invalid('the answer is about another group');
  }
  const failures = new Map<string, ContactSyncError>();
  for (const row of parsed.output.results ?? []) {
    if (row.success === true) continue;
    const phone = phoneFromSmsPartner(row.phoneNumber);
    // A failed row we cannot attribute: the ids are learned from the group, and a row missing
    // there is reported as not imported.
    if (!phone) continue;
    const providerCode = row.code ?? undefined;
    const code =
      providerCode === undefined ? 'provider_error' : (CODES.get(providerCode) ?? 'provider_error');
    failures.set(
      phone,
      new ContactSyncError({
        code,
        provider: 'smspartner',
        operation: 'create',
        providerCode,
        retryable: false,
        route: 'POST /contact/add',
        detail: 'refused in a bulk add (contactsList)',
      }),
    );
  }
  return failures;
}
