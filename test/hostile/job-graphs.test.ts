/**
 * Workflows whose job graph is hostile: thousands of jobs in one `needs` chain, a `needs` cycle
 * through every job, every job needing every earlier one, hundreds of jobs exchanging OIDC tokens
 * at once. Each: exit 0/1/2, no stack trace, a bounded time (a real process with a timeout).
 *
 * oidc-fanout-no-retry used to compare OIDC jobs pairwise (~55 s for 1,000 parallel jobs, out of 4 GB
 * for 20,000, 93 s for a 5,000-job chain) and oidc-untrusted-trigger walked every `needs` chain with
 * `jobs.find` (~10 s for a 3,000-job chain); both now work once per workflow, and the sizes below
 * (20,000 parallel OIDC jobs, a 20,000-job OIDC chain) finish in a few seconds, mostly parsing.
 */
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { expectSane, runProcess } from "../fuzz/harness.js";

const WF = ".github/workflows/w.yml";
const CONFIGURE =
  "      - uses: aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a # v4.3.1\n        with: {role-to-assume: 'arn:aws:iam::123456789012:role/r', aws-region: us-east-1, disable-retry: true}\n";
const ECHO = "      - run: echo\n";

function jobs(n: number, needs: (i: number) => string[], step: string, extra = ""): string {
  return Array.from({ length: n }, (_, i) => {
    const deps = needs(i);
    return `  j${i}:\n    runs-on: ubuntu-latest\n${deps.length ? `    needs: [${deps.join(", ")}]\n` : ""}${extra}    steps:\n${step}`;
  }).join("");
}

const cases: Record<string, { text: string; ms: number }> = {
  "20,000 jobs in one needs chain": { text: `on: push\njobs:\n${jobs(20_000, (i) => (i ? [`j${i - 1}`] : []), ECHO)}`, ms: 20_000 },
  "a needs cycle through 10,000 jobs": { text: `on: push\njobs:\n${jobs(10_000, (i) => [`j${(i + 1) % 10_000}`], ECHO)}`, ms: 20_000 },
  "10,000 chained jobs, each guarded against forks": {
    text: `on: push\njobs:\n${jobs(10_000, (i) => (i ? [`j${i - 1}`] : []), ECHO, "    if: github.event.pull_request.head.repo.full_name == github.repository\n")}`,
    ms: 20_000,
  },
  "300 jobs each needing every earlier one, all exchanging OIDC tokens": {
    text: `on: push\npermissions: {id-token: write}\njobs:\n${jobs(300, (i) => Array.from({ length: i }, (_, k) => `j${k}`), CONFIGURE)}`,
    ms: 30_000,
  },
  "300 parallel jobs exchanging OIDC tokens without retry": {
    text: `on: [push, pull_request_target]\npermissions: {id-token: write}\njobs:\n${jobs(300, () => [], CONFIGURE)}`,
    ms: 30_000,
  },
  "1,000 chained jobs exchanging OIDC tokens on pull_request_target": {
    text: `on: [push, pull_request_target]\npermissions: {id-token: write}\njobs:\n${jobs(1000, (i) => (i ? [`j${i - 1}`] : []), CONFIGURE)}`,
    ms: 30_000,
  },
  "2,000 parallel jobs exchanging OIDC tokens without retry": {
    text: `on: [push, pull_request_target]\npermissions: {id-token: write}\njobs:\n${jobs(2000, () => [], CONFIGURE)}`,
    ms: 20_000,
  },
  "20,000 parallel jobs exchanging OIDC tokens without retry": {
    text: `on: [push, pull_request_target]\npermissions: {id-token: write}\njobs:\n${jobs(20_000, () => [], CONFIGURE)}`,
    ms: 20_000,
  },
  "20,000 chained jobs exchanging OIDC tokens on pull_request_target": {
    text: `on: [push, pull_request_target]\npermissions: {id-token: write}\njobs:\n${jobs(20_000, (i) => (i ? [`j${i - 1}`] : []), CONFIGURE)}`,
    ms: 20_000,
  },
  "20,000 chained OIDC jobs, each guarded against forks": {
    text: `on: [push, pull_request_target]\npermissions: {id-token: write}\njobs:\n${jobs(20_000, (i) => (i ? [`j${i - 1}`] : []), CONFIGURE, "    if: github.event.pull_request.head.repo.full_name == github.repository\n")}`,
    ms: 20_000,
  },
  "needs naming missing jobs, itself, and non-strings": {
    text: `on: push\njobs:\n  a:\n    runs-on: x\n    needs: [a, nope, {x: 1}, [b], ~, 3]\n    steps:\n${ECHO}  b:\n    runs-on: x\n    needs: {a: b}\n    steps:\n${ECHO}`,
    ms: 10_000,
  },
};

describe("hostile job graphs", () => {
  for (const [name, c] of Object.entries(cases)) {
    // The bound is on the process's CPU time, which another process's load on the machine barely
    // changes; the wall-clock timeout only stops a run that never ends.
    it(name, async () => {
      const dir = tempRepo({ [WF]: c.text });
      const r = await runProcess(["."], dir, c.ms * 6, [], { CREDFLOW_REPORT_RSS: "1" });
      expectSane(r, { codes: [0, 1] });
      expect(r.cpuMs, "CPU time reported").toBeDefined();
      expect(r.cpuMs!).toBeLessThan(c.ms);
    }, c.ms * 7);
  }
});
