import * as v from 'valibot';
import type { ContactSyncError, ContactSyncErrorCode, ValidationIssue } from '../../src/errors.js';
import {
  codeForStatus,
  type HttpClient,
  type HttpResponse,
  type RequestSpec,
} from '../../src/http.js';
import {
  type SmsPartnerEnvelope,
  SmsPartnerEnvelopeSchema,
  SmsPartnerValidationErrorsSchema,
} from './api.js';

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
