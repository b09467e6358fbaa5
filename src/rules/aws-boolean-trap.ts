/**
 * aws-boolean-trap: boolean inputs of configure-aws-credentials written in a form the resolved
 * version misreads. v5+ throws on anything but true/True/TRUE/false/False/FALSE; v5+ reads
 * `use-existing-credentials` as a plain string, so `false` turns it on; v1–v4 read anything but
 * `true` as false, so `yes`/`on`/`1` silently mean false.
 */
import { BOOLEAN_INPUTS, booleanParsing } from "../knowledge/configure-aws-credentials.js";
import type { Fix, Level, Report, Rule } from "./types.js";
import { removeEntries, replaceScalar } from "../edit/yaml-edit.js";
import { configureSites, describeVersion, siteInputs, valueLocation, type ConfigureSite, type SiteInput } from "./support/configure-sites.js";

const CORE_SCHEMA = new Set(["true", "True", "TRUE", "false", "False", "FALSE"]);
/** Spellings people mean as "on" (YAML 1.1 booleans and shell habits). */
const MEANT_TRUE = new Set(["yes", "y", "on", "1"]);
/** Spellings people mean as "off". */
const MEANT_FALSE = new Set(["no", "n", "off", "0", "false"]);

export const awsBooleanTrap: Rule = {
  id: "aws-boolean-trap",
  title: "Boolean input the pinned configure-aws-credentials version misreads",
  description:
    "Reports boolean inputs of aws-actions/configure-aws-credentials that fail (v5+ accepts only true/True/TRUE/false/False/FALSE), that mean the opposite (`use-existing-credentials: false` on v5+), or that are silently false (`yes`, `on`, `1` on v1–v4).",
  // Per finding: error where v5+ throws, warning where a value is silently misread. The default
  // (used only when a configuration sets no level) matches the configuration schema's.
  defaultLevel: "warning",
  tags: ["correctness", "aws"],
  precision: "very-high",
  fixable: "unsafe",
  check(ctx) {
    for (const site of configureSites(ctx.graph)) {
      const v = site.version;
      // Unknown refs: how the code parses booleans cannot be told, so say nothing.
      if (!v.semver || !v.inputs) continue;
      const declared = new Set([...v.inputs].map((n) => n.toLowerCase()));
      for (const input of siteInputs(site)) {
        const name = input.key.toLowerCase();
        // Inputs the version does not declare are ignored by it (aws-unknown-input reports them).
        if (!BOOLEAN_INPUTS.has(name) || !declared.has(name) || input.value === undefined || input.value === "") continue;
        const f = judge(site, input, name);
        if (f) ctx.report(f);
      }
    }
  },
};

function judge(site: ConfigureSite, input: SiteInput, name: string): Report | undefined {
  const value = input.value!;
  const lower = value.toLowerCase();
  const runs = `configure-aws-credentials ${describeVersion(site.version)}`;
  const written = `\`${input.key}: ${value}\``;
  let level: Level;
  let message: string;
  let replacement: string | undefined;
  let parts: Pick<Report, "headline" | "why" | "hint" | "label">;
  switch (booleanParsing(site.version, name)) {
    case "strict":
      if (CORE_SCHEMA.has(value)) return undefined;
      level = "error";
      replacement = MEANT_TRUE.has(lower) || lower === "true" ? "true" : MEANT_FALSE.has(lower) ? "false" : undefined;
      message =
        `${written} makes ${runs} fail: from v5 a boolean input must be one of true, True, TRUE, false, False, FALSE, and the step stops with ` +
        `\`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\`` +
        (replacement ? `. Write \`${replacement}\`` : "");
      parts = {
        headline: `${written} makes configure-aws-credentials ${describeVersion(site.version)} fail`,
        why: `from v5 a boolean input must be true, True, TRUE, false, False or FALSE, and the step stops with "Input does not meet YAML 1.2 "Core Schema" specification"`,
        hint: replacement ? `write \`${replacement}\`` : "write true or false",
        label: "not a YAML 1.2 boolean",
      };
      break;
    case "string":
      // v5+ tests `if (useExistingCredentials)`: any non-empty text turns the feature on.
      if (!MEANT_FALSE.has(lower)) return undefined;
      level = "warning";
      message =
        `${written} turns the feature ON in ${runs}: from v5 the action reads \`use-existing-credentials\` as text and any non-empty value enables it, ` +
        `so when credentials are already valid it keeps them ("Pre-existing credentials are valid. No need to generate new ones.") instead of assuming the configured role. Remove the line to turn it off`;
      parts = {
        headline: `${written} turns the feature on in configure-aws-credentials ${describeVersion(site.version)}`,
        why: "from v5 the action reads it as text and any non-empty value enables it, so already valid credentials are kept instead of assuming the configured role",
        hint: "remove the line to turn it off",
        label: "any non-empty text means on",
      };
      break;
    case "lenient":
      if (!MEANT_TRUE.has(lower)) return undefined;
      level = "warning";
      replacement = "true";
      message = `${written} is read as false by ${runs}: before v5 the action treats anything but \`true\` as false, so \`${input.key}\` is silently off. Write \`true\` if it should be on`;
      parts = {
        headline: `${written} is read as false by configure-aws-credentials ${describeVersion(site.version)}`,
        why: `before v5 the action treats anything but \`true\` as false, so \`${input.key}\` is silently off`,
        hint: "write `true` if it should be on",
        label: "read as false",
      };
      break;
    default:
      return undefined;
  }
  const where = valueLocation(site, input);
  const removal = name === "use-existing-credentials" && level === "warning" && booleanParsing(site.version, name) === "string";
  const fix = (): Fix | undefined => (removal ? removeLineFix(site, input) : replacement ? replaceFix(site, input, replacement) : undefined);
  return { level, message, ...parts, location: where.location, related: where.related, fix };
}

/**
 * Rewrites the literal in the configure step's own `with:` (not a call site's: that value may feed
 * other steps too). Unsafe: the step's behaviour changes (a failing step runs, or an input that was
 * silently off turns on), which is the point, but it should be reviewed.
 */
function replaceFix(site: ConfigureSite, input: SiteInput, replacement: string): Fix | undefined {
  const scalar = input.entry.value;
  if (input.origin?.kind !== "step" || !scalar) return undefined;
  const edit = replaceScalar(site.ts.file, scalar, replacement, { typed: true });
  return edit ? { description: `write \`${input.key}: ${replacement}\``, safe: false, edits: [edit] } : undefined;
}

/**
 * Deletes the `use-existing-credentials: …` entry. Unsafe: credentials that were kept are replaced
 * by a fresh role session afterwards, as the line intended.
 */
function removeLineFix(site: ConfigureSite, input: SiteInput): Fix | undefined {
  // Only a line of its own: an entry of a flow mapping is left for the user to remove.
  if (input.origin?.kind !== "step" || site.ts.step.with.flow || site.ts.step.flow) return undefined;
  const edits = removeEntries(site.ts.file, site.ts.step.with, [input.entry]);
  return edits ? { description: `remove \`${input.key}: ${input.value}\``, safe: false, edits } : undefined;
}
