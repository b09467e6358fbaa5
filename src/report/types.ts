/** Input shared by every reporter. Reporters are pure: they return strings and never print or exit. */
import type { Finding, RuleMeta } from "../rules/types.js";

export interface SuppressedFinding {
  finding: Finding;
  /** Why it is suppressed (e.g. the text of the inline `credflow-ignore` comment). */
  reason: string;
}

export interface ReportInput {
  findings: Finding[];
  /** Every rule that exists (reporters pick the ones they need). */
  rules: RuleMeta[];
  toolVersion: string;
  /** Current directory; absolute finding paths inside it are shown relative to it. */
  cwd?: string;
  /** Markdown of `docs/rules/<id>.md`, if available. */
  ruleDoc?: (id: string) => string | undefined;
  suppressed?: SuppressedFinding[];
  /** Text of a file by display path, for offset → line/column and UTF-8 byte-column conversion. */
  fileText?: (path: string) => string | undefined;
}
