/**
 * A vitest reporter (beside the default one, vitest.config.ts) that prints one line per test file
 * whose tests were skipped, or ran without a check, because ../shared/ lacked what they need or
 * because they run only on request (test/helpers/shared.ts marks them). Nothing is printed when
 * nothing was skipped.
 */
import * as path from "node:path";
import type { Reporter, TestModule } from "vitest/node";

export default class SharedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const mod of testModules) {
      const groups = new Map<string, { why: string; partial: boolean; tests: number }>();
      for (const test of mod.children.allTests()) {
        const mark = test.meta().credflowSkipped;
        if (!mark) continue;
        const key = `${mark.partial}\0${mark.why}`;
        const g = groups.get(key) ?? { ...mark, tests: 0 };
        g.tests++;
        groups.set(key, g);
      }
      const file = path.relative(process.cwd(), mod.moduleId).split(path.sep).join("/");
      for (const g of groups.values()) {
        lines.push(
          g.partial
            ? ` ↓ ${file}: ${g.tests} test${g.tests === 1 ? "" : "s"} ran without a check that ${g.why}`
            : ` ↓ ${file}: skipped, ${g.why}`,
        );
      }
    }
    if (lines.length) process.stdout.write(`\n${lines.sort().join("\n")}\n`);
  }
}
