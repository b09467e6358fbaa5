/** Hand-built findings over small texts (LF with non-ASCII, CRLF with BOM) for the reporter tests. */
import type { Range } from "../../src/model/types.js";
import type { Finding, RuleMeta } from "../../src/rules/types.js";
import type { ReportInput } from "../../src/report/types.js";

/** Independent of the code under test: 1-based line, UTF-16 column, BOM not counted. */
export function rangeOf(text: string, start: number, end: number): Range {
  const pos = (offset: number) => {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    let lineStart = before.lastIndexOf("\n") + 1;
    if (lineStart === 0 && text.startsWith("\uFEFF")) lineStart = 1;
    return { line, column: offset - lineStart + 1, offset };
  };
  return { start: pos(start), end: pos(end) };
}

export function find(text: string, needle: string, from = 0): number {
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`fixture: ${needle} not found`);
  return i;
}

export const A_PATH = ".github/workflows/deploy.yml";
export const A = [
  "name: déploiement 🚀",
  "on: push",
  "jobs:",
  "  deploy:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  '      - name: "Étape 🚀 clé"',
  "        uses: aws-actions/configure-aws-credentials@v4",
  "        with:",
  "          role-to-assume: ${{ secrets.ROLE }}",
  "",
].join("\n");

export const B_PATH = "actions/setup/action.yml";
export const B = "\uFEFF" + ["name: setup", "runs:", "  using: composite", "  steps:", "    - run: echo hi", "      shell: bash", ""].join("\r\n");

export const RULES: RuleMeta[] = [
  {
    id: "unpinned-action",
    title: "Action not pinned to a commit",
    description: "Finds actions referenced by a mutable tag or branch instead of a full commit SHA.",
    defaultLevel: "warning",
    tags: ["security", "supply-chain"],
    securitySeverity: "5.5",
    precision: "very-high",
    fixable: "both",
  },
  {
    id: "credential-leak",
    title: "Credentials reach an untrusted step",
    description: "Finds AWS credentials that stay in the environment of later steps. ".repeat(40),
    defaultLevel: "error",
    tags: ["security", "aws", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11", "t12"],
    securitySeverity: "8.1",
    precision: "high",
    fixable: false,
  },
  {
    id: "missing-shell",
    title: "Composite step without shell",
    description: "Finds composite run steps without a shell.",
    defaultLevel: "note",
    tags: ["correctness"],
    precision: "medium",
    fixable: "both",
  },
  {
    id: "never-reported",
    title: "Unused",
    description: "Never appears in findings.",
    defaultLevel: "note",
    tags: [],
    precision: "low",
    fixable: false,
  },
];

const usesStart = find(A, "aws-actions/");
const tagStart = find(A, "@v4") + 1;
const nameStart = find(A, "Étape");
const stepStart = find(B, "    - run");
const stepEnd = find(B, "bash") + 4;
const shellLine = find(B, "      shell: bash");

export const FIX_TEXT = "0123456789abcdef0123456789abcdef01234567 # v4";

export const FINDINGS: Finding[] = [
  {
    ruleId: "unpinned-action",
    level: "warning",
    message: "aws-actions/configure-aws-credentials@v4 is not pinned to a commit SHA.",
    location: { path: A_PATH, range: rangeOf(A, usesStart, tagStart + 2) },
    related: [],
    fix: {
      description: "Pin to the commit of v4",
      safe: true,
      edits: [{ path: A_PATH, start: tagStart, end: tagStart + 2, text: FIX_TEXT }],
    },
  },
  {
    ruleId: "credential-leak",
    level: "error",
    // Brackets, separators, a line break and an ESC: every format must cope.
    message: "Credentials [AWS_SECRET_ACCESS_KEY] leak: 100% reach step 2,\nthen \x1b[31mred\x1b[0m | done",
    location: { path: A_PATH, range: rangeOf(A, nameStart, nameStart + "Étape 🚀 clé".length) },
    related: [
      { path: B_PATH, message: "credentials configured here", range: rangeOf(B, stepStart, stepEnd) },
      { path: A_PATH, message: "step [deploy]", range: rangeOf(A, usesStart, usesStart + 11) },
    ],
  },
  {
    ruleId: "missing-shell",
    level: "note",
    message: "Composite run step spans lines; shell is set.",
    location: { path: B_PATH, range: rangeOf(B, stepStart, stepEnd) },
    related: [],
    fix: {
      description: "Remove the shell line",
      safe: false,
      edits: [{ path: B_PATH, start: shellLine, end: find(B, "\n", shellLine) + 1, text: "" }],
    },
  },
];

export const TEXTS: Record<string, string> = { [A_PATH]: A, [B_PATH]: B };

export function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    findings: FINDINGS,
    rules: RULES,
    toolVersion: "1.2.3",
    ruleDoc: (id) => (id === "unpinned-action" ? "# unpinned-action\n\nPin actions to a **commit**.\n" : undefined),
    fileText: (p) => TEXTS[p],
    ...overrides,
  };
}

/** A finding on line `line` of a synthetic file, for volume tests. */
export function simple(level: Finding["level"], path: string, line: number, ruleId = "unpinned-action"): Finding {
  const pos = { line, column: 1, offset: 0 };
  return { ruleId, level, message: `${level} at ${line}`, location: { path, range: { start: pos, end: { ...pos, column: 5 } } }, related: [] };
}
