/**
 * One conformance case: a sentence for the test's name and a function that resolves when the
 * behaviour holds and rejects (with an `AssertionError` from `node:assert`) when it does not.
 * Runnable from any test runner: `for (const { name, run } of cases) test(name, run);`
 */
export interface TestCase {
  readonly name: string;
  run(): Promise<void>;
}
