/**
 * static-aws-keys: configure-aws-credentials calls that sign in with long-lived access keys.
 * Keys from secrets get a note on switching to OIDC; keys written as literal text are an error
 * (the key is in the repository and its history). Messages never repeat a key's text.
 */
import { allJobNodes } from "../graph/build-graph.js";
import { isConfigureRef } from "../graph/configure.js";
import type { CallSite, JobNode, TimelineStep } from "../graph/types.js";
import type { Entry, Range, SourceFile } from "../model/types.js";
import type { RelatedLocation, Report, Rule, RuleContext } from "./types.js";

import { stepLabel } from "./support/labels.js";
import { capitalize, joinList } from "./support/wording.js";

const RULE_ID = "static-aws-keys";

const KEY_INPUTS = ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"] as const;
type KeyInput = (typeof KEY_INPUTS)[number];

/** Where a value comes from, after following inputs and `env.X` to the text that sets it. */
type Source =
  | { kind: "literal" }
  | { kind: "secret"; names: string[] }
  | { kind: "variable"; names: string[] }
  /** Outputs of another step or job (temporary credentials from an earlier login), inputs nobody set, matrix values... */
  | { kind: "other" };

interface Origin {
  file: SourceFile;
  /** The key of the entry that holds the text (never the value: findings must not point at a secret's text). */
  range: Range;
  /** How the value gets to the configure step, for the message ("through input `key` of ./.github/actions/login"). */
  via: string[];
}

export const staticAwsKeys: Rule = {
  id: RULE_ID,
  title: "Long-lived AWS access keys instead of OIDC",
  description:
    "Reports configure-aws-credentials calls that pass `aws-access-key-id`/`aws-secret-access-key`: literal key text is an error, keys from secrets get a note on switching to GitHub's OIDC provider.",
  defaultLevel: "warning",
  tags: ["security"],
  securitySeverity: "7.5",
  precision: "very-high",
  fixable: false,
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      // A reusable workflow linted on its own has its inputs unset; its callers' nodes see the values.
      for (const call of node.configureCalls) {
        const ts = node.timeline[call.timelineIndex]!;
        if (!isConfigureRef(ts.step.uses?.ref)) continue;
        // One finding per place: the first job that reaches a key decides the wording.
        for (const r of checkCall(ctx, node, ts)) ctx.report({ ...r, key: "static-keys" });
      }
    }
  },
};

function checkCall(ctx: RuleContext, node: JobNode, ts: TimelineStep): Report[] {
  const present = KEY_INPUTS.filter((k) => (ts.with.get(k) ?? "").trim() !== "");
  if (!present.length) return [];
  const out: Report[] = [];
  const sources = new Map<KeyInput, { source: Source; origin: Origin }>();
  for (const key of present) {
    const origin = originOf(ctx, node, ts, key);
    sources.set(key, { source: classify(node, ts, ts.with.get(key) ?? ""), origin });
  }
  const stepRef = configureLabel(ts);
  const callSite = callSiteRelated(node, ts);

  // Literal key text: one finding where the text is written.
  for (const [key, { source, origin }] of sources) {
    if (source.kind !== "literal") continue;
    const where = origin.via.length ? `, written here and passed ${origin.via.join(", then ")}` : "";
    if (key === "aws-access-key-id") {
      out.push({
        level: "warning",
        message:
          `\`${key}\` of ${stepRef} is a literal access key ID${where}: the ID is not the secret half, but it names a long-lived IAM user key and its AWS account to anyone who can read the repository. ` +
          `Keep it in a secret, or better, drop the keys and let the job assume a role through GitHub's OIDC provider (\`role-to-assume\` with \`permissions: id-token: write\`).`,
        location: { path: origin.file.path, range: origin.range },
        related: related(ts, origin, callSite),
      });
    } else {
      out.push({
        level: "error",
        message:
          `\`${key}\` of ${stepRef} is a literal ${key === "aws-session-token" ? "session token" : "secret access key"}${where}: anyone who can read the repository, or any clone or fork of it, has the credential, and it stays in the Git history. ` +
          `Deactivate the key in IAM now, then pass keys only through \`\${{ secrets.… }}\`, or better, assume a role through GitHub's OIDC provider (\`role-to-assume\` with \`permissions: id-token: write\`).`,
        location: { path: origin.file.path, range: origin.range },
        related: related(ts, origin, callSite),
      });
    }
  }

  const secret = sources.get("aws-secret-access-key");
  if (!secret || secret.source.kind === "literal" || secret.source.kind === "other") return out;
  const id = sources.get("aws-access-key-id");
  // A literal key ID already carries the OIDC advice.
  if (id?.source.kind === "literal") return out;
  // The note is about the configure step: it points at the step's own key input, which OIDC replaces.
  const anchorEntry = ts.step.with.entries.find((e) => e.key === (id ? "aws-access-key-id" : "aws-secret-access-key"))!;
  if (secret.source.kind === "variable") {
    out.push({
      level: "warning",
      message:
        `\`aws-secret-access-key\` of ${stepRef} comes from the configuration variable ${names(secret.source.names, "vars")}: variables are not secrets, their values are not masked in logs and are shown to everyone who can manage or read the repository's variables. ` +
        `Move the key to a secret, or better, assume a role through GitHub's OIDC provider and drop the keys.`,
      location: { path: secret.origin.file.path, range: secret.origin.range },
      related: related(ts, secret.origin, callSite),
    });
    return out;
  }
  const all = [...sources.values()].flatMap((s) => (s.source.kind === "secret" ? s.source.names : []));
  const role = (ts.with.get("role-to-assume") ?? "").trim();
  const what = role ? `long-lived access keys (from ${names(unique(all), "secrets")}) to assume \`${role}\`` : `long-lived access keys from ${names(unique(all), "secrets")}`;
  out.push({
    level: "note",
    message:
      `${capitalize(stepRef)} signs in with ${what}. GitHub's OIDC provider can replace them with a short-lived token per job: ` +
      `create an IAM OIDC identity provider for \`token.actions.githubusercontent.com\` and a role whose trust policy accepts this repository's \`sub\` claim, ` +
      `grant the job \`permissions: id-token: write\`, set \`role-to-assume\` to that role and remove ${joinList(present.map((k) => `\`${k}\``))}; then delete the IAM user's keys.`,
    location: { path: ts.file.path, range: anchorEntry.keyRange },
    related: callSite,
  });
  return out;
}

// ---------- classifying values ----------

function classify(node: JobNode, ts: TimelineStep, value: string, depth = 0): Source {
  const v = value.trim();
  if (!v.includes("${{")) return { kind: "literal" };
  const secrets = [...v.matchAll(/\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g)].map((m) => (m[1] ?? m[2])!);
  if (secrets.length) return { kind: "secret", names: unique(secrets) };
  const vars = [...v.matchAll(/\bvars\s*\.\s*([A-Za-z_][\w-]*)/g)].map((m) => m[1]!);
  if (vars.length) return { kind: "variable", names: unique(vars) };
  const env = /^\$\{\{\s*env\s*\.\s*([A-Za-z_]\w*)\s*\}\}$/.exec(v);
  if (env && depth < 5) {
    const found = envEntry(node, ts, env[1]!);
    if (found?.value !== undefined) return classify(node, ts, found.value, depth + 1);
  }
  return { kind: "other" };
}

/** `env.NAME` as the step sees it: its own `env:`, its call sites', the job's, the workflow's. */
function envEntry(node: JobNode, ts: TimelineStep, name: string): { file: SourceFile; entry: Entry; value: string } | undefined {
  const scopes: Array<{ file: SourceFile; entries: Entry[] }> = [{ file: ts.file, entries: ts.step.env.entries }];
  for (const site of [...ts.chain].reverse()) scopes.push({ file: site.file, entries: site.step.env.entries });
  scopes.push({ file: node.workflow.file, entries: node.job.env.entries });
  scopes.push({ file: node.workflow.file, entries: node.workflow.env.entries });
  for (const s of scopes) {
    const entry = s.entries.find((e) => e.key === name);
    if (entry) return { file: s.file, entry, value: s === scopes[0] ? (ts.env.get(name) ?? entry.value?.value ?? "") : (entry.value?.value ?? "") };
  }
  return undefined;
}

// ---------- following a value to where it is written ----------

const INPUT_REF = /^\$\{\{\s*inputs\s*\.\s*([A-Za-z_][\w-]*)\s*\}\}$/;
const ENV_REF = /^\$\{\{\s*env\s*\.\s*([A-Za-z_]\w*)\s*\}\}$/;

/**
 * The entry whose text becomes the input's value: the step's own `with:` entry, or, when that is
 * `${{ inputs.x }}`, the call site's `with: x` (or the composite's default, or a reusable workflow
 * caller's `with: x`), or, for `${{ env.X }}`, the `env:` entry that sets X. Locations point at
 * keys, never at the value text.
 */
function originOf(ctx: RuleContext, node: JobNode, ts: TimelineStep, key: string): Origin {
  let file = ts.file;
  let current: Entry = ts.step.with.entries.find((e) => e.key === key)!;
  let chain: CallSite[] = ts.chain;
  let caller: JobNode | undefined = node.caller;
  let inStep = true;
  const via: string[] = [];
  for (let guard = 0; guard < 20; guard++) {
    const raw = (current.value?.value ?? "").trim();
    const input = INPUT_REF.exec(raw);
    if (input && chain.length) {
      const name = input[1]!.toLowerCase();
      const site = chain[chain.length - 1]!;
      via.push(`through input \`${input[1]}\` of \`${site.step.uses?.node.value ?? "a composite action"}\``);
      const passed = site.step.with.entries.find((e) => e.key.toLowerCase() === name);
      if (passed) {
        file = site.file;
        current = passed;
        chain = chain.slice(0, -1);
        inStep = false;
        continue;
      }
      const action = [...ctx.graph.actions.values()].find((a) => a.file.path === file.path);
      const def = action ? [...action.inputs.values()].find((i) => i.name.toLowerCase() === name) : undefined;
      if (def) return { file, range: def.range, via: [...via.slice(0, -1), `${via[via.length - 1]!} (its default)`] };
      break;
    }
    if (input && caller) {
      const name = input[1]!.toLowerCase();
      via.push(`through input \`${input[1]}\` of the reusable workflow \`${caller.job.uses?.node.value ?? ""}\``);
      const passed = caller.job.with.entries.find((e) => e.key.toLowerCase() === name);
      if (!passed) break;
      file = caller.workflow.file;
      current = passed;
      caller = caller.caller;
      inStep = false;
      continue;
    }
    const env = ENV_REF.exec(raw);
    if (env && inStep) {
      const found = envEntry(node, ts, env[1]!);
      if (found) {
        via.push(`through \`env.${env[1]}\``);
        file = found.file;
        current = found.entry;
        inStep = false;
        continue;
      }
    }
    break;
  }
  return { file, range: current.keyRange, via };
}

// ---------- wording ----------

function configureLabel(ts: TimelineStep): string {
  const uses = ts.step.uses?.node.value ?? "configure-aws-credentials";
  const named = ts.step.name ?? ts.step.id;
  return named ? `the \`${uses}\` step ${stepLabel(ts)}` : `the \`${uses}\` step at ${ts.chain.length ? `${ts.file.path}:` : "line "}${ts.step.range.start.line}`;
}

function callSiteRelated(node: JobNode, ts: TimelineStep): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  if (ts.chain.length) {
    const site = ts.chain[0]!;
    out.push({ path: site.file.path, range: site.step.uses?.node.range ?? site.step.range, message: `job \`${node.job.id}\` calls the composite that holds the configure step here` });
  }
  return out;
}

function related(ts: TimelineStep, origin: Origin, extra: RelatedLocation[]): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const inside = origin.file.path === ts.file.path && origin.range.start.offset >= ts.step.range.start.offset && origin.range.start.offset < ts.step.range.end.offset;
  if (!inside) out.push({ path: ts.file.path, range: ts.step.uses!.node.range, message: "the configure-aws-credentials step that receives the key" });
  return [...out, ...extra];
}

function names(list: string[], ctxName: string): string {
  return joinList(list.map((n) => `\`${ctxName}.${n}\``));
}


function unique(list: string[]): string[] {
  return [...new Set(list)];
}

