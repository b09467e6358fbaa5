/**
 * The shared corpora and data beside this repository (`../shared/`), which a plain clone does not
 * have. Tests that need them declare it here:
 *
 * - `describeShared` / `itShared`: without the files, the suite (or test) is replaced by one
 *   skipped test named `needs ../shared/…`, and the shared reporter (test/helpers/shared-reporter.ts)
 *   prints one line per test file saying what was skipped and why;
 * - `sharedFileOrNote`: for a check inside a test that otherwise runs (SARIF schema validation), the
 *   test runs without that check and the reporter says so.
 *
 * With `CREDFLOW_REQUIRE_SHARED=1` (set by .ci/run, where ../shared exists) a missing file fails
 * instead: CI never passes by skipping.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it, TestRunner } from "vitest";

declare module "vitest" {
  interface TaskMeta {
    /**
     * Why a test was skipped (or, `partial`, ran without one of its checks): what ../shared lacked,
     * or the variable that turns a slow test on. test/helpers/shared-reporter.ts prints it.
     */
    credflowSkipped?: { why: string; partial: boolean };
  }
}

export const SHARED = path.resolve(__dirname, "..", "..", "..", "shared");

/** Set by .ci/run: a missing shared file is a failure, not a skip. */
export const REQUIRE_SHARED = process.env.CREDFLOW_REQUIRE_SHARED === "1";

export interface SharedNeed {
  /** Path below ../shared/. */
  rel: string;
  /** What it is, for the skip line. */
  what: string;
}

/** Everything the tests read from ../shared/. */
export const NEEDS = {
  realworld: { rel: "corpus/realworld-aws", what: "24 real repositories" },
  peers: { rel: "corpus/peers", what: "actionlint's and zizmor's test data" },
  corpus: { rel: "corpus", what: "the real-world and peer corpora" },
  dataset: { rel: "corpus/peers/actionlint/testdata/realworld/dataset.zip", what: "actionlint's 1,503 real workflows" },
  actionTags: { rel: "data/action-tags.json", what: "the tag data the pin table is generated from" },
  configureTags: { rel: "data/configure-aws-credentials.tags.json", what: "every configure-aws-credentials tag" },
  sarifSchema: { rel: "data/sarif-schema-2.1.0.json", what: "the SARIF 2.1.0 schema" },
} as const satisfies Record<string, SharedNeed>;

/** Absolute path of a file under ../shared/. */
export function sharedPath(need: SharedNeed): string {
  return path.join(SHARED, ...need.rel.split("/"));
}

/** Whether every one of `needs` is there. */
export function hasShared(...needs: SharedNeed[]): boolean {
  return needs.every((n) => fs.existsSync(sharedPath(n)));
}

function describeNeeds(needs: readonly SharedNeed[]): string {
  return `needs ${needs.map((n) => `../shared/${n.rel} (${n.what})`).join(" and ")}`;
}

function failure(label: string): Error {
  return new Error(`${label}: absent, and CREDFLOW_REQUIRE_SHARED=1 (set by .ci/run) does not allow skipping it`);
}

/** The test that stands in for tests whose shared files are missing. */
function standIn(missing: readonly SharedNeed[]): void {
  const label = describeNeeds(missing);
  if (REQUIRE_SHARED) {
    it(label, () => {
      throw failure(label);
    });
  } else {
    it.skip(label, { meta: { credflowSkipped: { why: label, partial: false } } }, () => {});
  }
}

const asList = (needs: SharedNeed | readonly SharedNeed[]): readonly SharedNeed[] => (Array.isArray(needs) ? needs : [needs as SharedNeed]);

/**
 * `describe` when `enabled`; otherwise one skipped test named `why`, which the reporter prints (for
 * slow tests that run only when a variable asks for them).
 */
export function describeWhen(enabled: boolean, why: string, name: string, fn: () => void): void {
  if (enabled) describe(name, fn);
  else describe(name, () => it.skip(why, { meta: { credflowSkipped: { why, partial: false } } }, () => {}));
}

/** `describe`, when the shared files are there; otherwise one skipped test that says what is missing. */
export function describeShared(needs: SharedNeed | readonly SharedNeed[], name: string, fn: () => void): void {
  const missing = asList(needs).filter((n) => !hasShared(n));
  if (!missing.length) describe(name, fn);
  else describe(name, () => standIn(missing));
}

/** `it`, when the shared files are there; otherwise one skipped test that says what is missing. */
export function itShared(needs: SharedNeed | readonly SharedNeed[], name: string, fn: () => unknown, timeout?: number): void {
  const missing = asList(needs).filter((n) => !hasShared(n));
  if (!missing.length) it(name, fn, timeout);
  else standIn(missing);
}

/**
 * The path of a shared file a test uses for one of its checks. When it is missing the test goes on
 * without that check (undefined is returned) and is marked, so the reporter lists it; under
 * CREDFLOW_REQUIRE_SHARED=1 it throws instead.
 */
export function sharedFileOrNote(need: SharedNeed): string | undefined {
  if (hasShared(need)) return sharedPath(need);
  const label = describeNeeds([need]);
  if (REQUIRE_SHARED) throw failure(label);
  const test = TestRunner.getCurrentTest();
  if (test) test.meta.credflowSkipped = { why: label, partial: true };
  return undefined;
}
