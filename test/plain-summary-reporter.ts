// Ends a run with one plain line, "vitest: N passed, N failed, N skipped", that CI reads
// whatever the terminal colours. A test file that fails before any test runs (e.g.
// REQUIRE_ENVOY=1 without Envoy), or a suite whose hook fails, counts as a failure, so the
// line never reads clean then.
import type { Reporter, SerializedError, TestModule } from "vitest/node";

export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const counts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    for (const module of modules) {
      counts.failed += module.errors().length;
      // A failed beforeAll/afterAll is the suite's error; its tests only show as skipped.
      for (const suite of module.children.allSuites()) counts.failed += suite.errors().length;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") counts.failed++;
        else counts.skipped++;
      }
    }
    console.log(`vitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
