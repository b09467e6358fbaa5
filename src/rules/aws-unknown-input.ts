/**
 * aws-unknown-input: a `with:` key the resolved configure-aws-credentials version does not declare.
 * The runner only warns ("Unexpected input(s) …") and the action never reads it, so a typo or an
 * input from a newer release silently does nothing.
 */
import { allInputNames, inputIntroducedIn } from "../knowledge/configure-aws-credentials.js";
import type { Fix, Report, Rule } from "./types.js";
import { closestName } from "./support/closest.js";
import { renameKey } from "../edit/yaml-edit.js";
import { configureSites, describeVersion, keyLocation, siteInputs, type ConfigureSite, type SiteInput } from "./support/configure-sites.js";

export const awsUnknownInput: Rule = {
  id: "aws-unknown-input",
  title: "Input unknown to the pinned configure-aws-credentials version",
  description:
    "Reports `with:` keys of aws-actions/configure-aws-credentials that the resolved version does not declare (typos, or inputs of a later release), which the action silently ignores.",
  defaultLevel: "warning",
  tags: ["correctness", "aws"],
  precision: "very-high",
  fixable: "safe",
  check(ctx) {
    const everyInput = allInputNames();
    const known = new Set(everyInput.map((n) => n.toLowerCase()));
    for (const site of configureSites(ctx.graph)) {
      const v = site.version;
      // Unknown refs and non-release branches: which inputs exist cannot be told, so say nothing.
      if (!v.inputs || site.ts.step.with.dynamic) continue;
      const declared = new Set([...v.inputs].map((n) => n.toLowerCase()));
      for (const input of siteInputs(site)) {
        const name = input.key.toLowerCase();
        // The runner matches input names ignoring case (ActionRunner: OrdinalIgnoreCase), and the
        // action reads INPUT_<NAME> upper-cased, so `Role-To-Assume` works.
        if (declared.has(name)) continue;
        ctx.report(finding(site, input, declared, known, everyInput));
      }
    }
  },
};

function finding(site: ConfigureSite, input: SiteInput, declared: Set<string>, known: Set<string>, everyInput: string[]): Report {
  const v = site.version;
  const runs = describeVersion(v);
  const key = input.key;
  const name = key.toLowerCase();
  const ignored = `the action ignores it (the runner only warns "Unexpected input(s) '${key}'")`;
  const base = { location: keyLocation(site, input), why: ignored };

  if (known.has(name)) {
    // A real input of a later release: a version mismatch, not a typo.
    const since = inputIntroducedIn(name);
    return {
      ...base,
      message: `\`${key}\` was added in ${since ?? "a later release"}; this step runs ${runs}, so ${ignored}. Use ${since ?? "a newer release"} or later, or drop the input.`,
      headline: `input \`${key}\` was added in ${since ?? "a later release"}; this step runs ${runs}`,
      hint: `use ${since ?? "a newer release"} or later, or drop the input`,
      label: `not an input of ${runs}`,
    };
  }

  const suggestion = closestName(name, everyInput);
  if (!suggestion) {
    const moving = v.kind === "branch" && v.tag ? ` (\`@${v.ref}\` moves; credflow knows it as ${v.tag} code, so a newer input may be missing from its table)` : "";
    return {
      ...base,
      message: `\`${key}\` is not an input of configure-aws-credentials ${runs} nor of any release${moving}; ${ignored}.`,
      headline: `\`${key}\` is not an input of configure-aws-credentials`,
      hint: "correct the name from the action's list of inputs, or drop it",
      label: "no release has this input",
    };
  }

  const target = suggestion.name;
  if (!declared.has(target.toLowerCase())) {
    const since = inputIntroducedIn(target);
    return {
      ...base,
      message: `\`${key}\` is not an input of configure-aws-credentials ${runs}; did you mean \`${target}\`? That input was added in ${since ?? "a later release"}, so this version would ignore it too. As written, ${ignored}.`,
      headline: `unknown input \`${key}\`; did you mean \`${target}\` (added in ${since ?? "a later release"})?`,
      hint: `rename it to \`${target}\` and use ${since ?? "a newer release"} or later`,
      label: `not an input of ${runs}`,
    };
  }
  const message = `\`${key}\` is not an input of configure-aws-credentials ${runs}; did you mean \`${target}\`? As written, ${ignored}.`;
  const parts = { headline: `unknown input \`${key}\`; did you mean \`${target}\`?`, hint: `rename \`${key}\` to \`${target}\``, label: `not an input of ${runs}` };
  return suggestion.confidence === "typo" ? { ...base, ...parts, message, fix: () => renameFix(site, input, target) } : { ...base, ...parts, message };
}

/**
 * Renames the key in place, keeping its quotes. Marked safe as the brief for this rule asks: the
 * name is an unambiguous typo of a declared input (the only one within two edits), so the rename
 * does what the line plainly says. None when the corrected key is already present (a duplicate
 * key would be rejected) or the key's text has escapes.
 */
function renameFix(site: ConfigureSite, input: SiteInput, target: string): Fix | undefined {
  if (site.ts.step.with.entries.some((e) => e.key.toLowerCase() === target.toLowerCase())) return undefined;
  const edit = renameKey(site.ts.file, input.entry, target);
  return edit ? { description: `rename \`${input.key}\` to \`${target}\``, safe: true, edits: [edit] } : undefined;
}
