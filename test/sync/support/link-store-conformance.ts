import { describe, it } from 'vitest';
import { type LinkStoreCasesOptions, linkStoreCases } from '../../../src/testing/index.js';

/** The shipped link-store cases (`contact-sync/testing`) as one vitest `describe` block. */
export function describeLinkStore(name: string, options: LinkStoreCasesOptions): void {
  describe(`${name} (LinkStore conformance)`, () => {
    for (const testCase of linkStoreCases(options)) it(testCase.name, testCase.run);
  });
}
