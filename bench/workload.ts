import type { ContactInput, ContactPatch } from '../src/contact.js';

/** The i-th contact of a run: a valid French mobile number in E.164, names, one custom field. */
export function contactAt(index: number): ContactInput {
  return {
    phone: `+3361${String(index % 10_000_000).padStart(7, '0')}`,
    firstName: `First${index}`,
    lastName: `Last${index}`,
    customFields: { company: `Company ${index % 100}` },
  };
}

/** The patch the update of the i-th contact sends. */
export function patchAt(index: number): ContactPatch {
  // Both name parts: a patch with one part makes the Callbell store read the other one first.
  return {
    firstName: `Renamed${index}`,
    lastName: `Last${index}`,
    customFields: { company: 'Updated' },
  };
}

/**
 * The hand-written alternative for Callbell: the request bodies written out as an integration
 * without a library would write them (the sandbox's field names), checked against the library's
 * own preview at start-up so both sides send the same bytes.
 */
export const callbellByHand = {
  create(contact: ContactInput) {
    return {
      identifier: contact.phone!.slice(1),
      source: 'whatsapp',
      name: `${contact.firstName} ${contact.lastName}`,
      custom_fields: {
        'First name': contact.firstName,
        'Last name': contact.lastName,
        Company: contact.customFields?.company,
      },
    };
  },
  update(patch: ContactPatch) {
    return {
      name: `${patch.firstName} ${patch.lastName}`,
      custom_fields: {
        'First name': patch.firstName,
        'Last name': patch.lastName,
        Company: patch.customFields?.company,
      },
    };
  },
};

/** Runs `task(0…count-1)` with at most `concurrency` in flight, in index order. */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Wall time and CPU time (user + system, this process only) of `run`. */
export async function measure(
  run: () => Promise<void>,
): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}
