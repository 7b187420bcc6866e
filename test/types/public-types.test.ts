import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entryPoints } from '../../entry-points.js';
import {
  optionalsWithoutUndefined,
  packageProgram,
  unexportedPublicTypes,
} from './public-types.js';

// One program over every entry point, the fixture and the example adapter, with the flag an
// outside author may set: a few seconds of type checking, once.
const FIXTURE = 'test/types/fixtures/leaky-entry.ts';
const ACME = ts.sys.readDirectory('examples/acme-provider', ['.ts']);
const program = packageProgram([...Object.values(entryPoints), FIXTURE, ...ACME], {
  exactOptionalPropertyTypes: true,
});

/**
 * The adapter kit (`contact-sync/provider`, and `contact-sync/testing` next to it) is what an
 * outside adapter imports: it must name every type its signatures use, or the adapter's own
 * declaration build fails with TS2742. Every other entry may lean on the package root, which
 * every consumer has.
 */
const ALSO_EXPORTED_BY: Record<string, string[]> = {
  provider: [],
  testing: [entryPoints.provider as string],
};

describe('public types', () => {
  it('the check finds a type used in a signature and not exported (it can fail)', () => {
    expect(unexportedPublicTypes(program, FIXTURE)).toEqual(['Hidden (fixtures/hidden.ts)']);
  });

  it.each(Object.entries(entryPoints))(
    'contact-sync %s exports every type its public signatures use',
    (name, file) => {
      const also = ALSO_EXPORTED_BY[name] ?? [entryPoints.index as string];
      expect(unexportedPublicTypes(program, file, also)).toEqual([]);
    },
  );

  it.each(['provider', 'testing'])(
    'contact-sync/%s: every optional property accepts undefined (exactOptionalPropertyTypes)',
    (name) => {
      expect(optionalsWithoutUndefined(program, entryPoints[name] as string)).toEqual([]);
    },
  );
});

describe('examples/acme-provider under exactOptionalPropertyTypes', () => {
  it('type-checks as an outside author compiles it (DriverCall.signal into RequestSpec, …)', () => {
    expect(ACME.length).toBeGreaterThan(5);
    // Only the adapter's own files: a consumer checks the package's declarations with
    // skipLibCheck, not its sources.
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file?.fileName.includes('/examples/acme-provider/'))
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(errors).toEqual([]);
  });
});
