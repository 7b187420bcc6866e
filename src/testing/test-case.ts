/**
 * One conformance case: a sentence for the test's name and a function that resolves when the
 * behaviour holds and rejects (with an `AssertionError` from `node:assert`) when it does not.
 * Runnable from any test runner: `for (const { name, run } of cases) test(name, run);`
 */
export interface TestCase {
  /** The behaviour checked, as a sentence: the test's name. */
  readonly name: string;
  /** Resolves when the behaviour holds; rejects with an `AssertionError` when it does not. */
  run(): Promise<void>;
}
