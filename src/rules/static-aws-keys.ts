/**
 * static-aws-keys: configure-aws-credentials calls that sign in with long-lived access keys.
 * Keys from secrets get a note on switching to OIDC; keys written as literal text are an error
 * (the key is in the repository and its history). Messages never repeat a key's text.
 */
import { allJobNodes } from "../graph/build-graph.js";
import { isConfigureRef } from "../graph/configure.js";
import type { JobNode, TimelineStep } from "../graph/types.js";
import type { Range, SourceFile } from "../model/types.js";
import type { RelatedLocation, Report, Rule, RuleContext } from "./types.js";

import { stepLabel } from "./support/labels.js";
import { envValue, traceValue } from "../graph/values.js";
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
    sources.set(key, { source: classify(node, ts, tracedText(ctx, node, ts, key)), origin });
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
        headline: `\`${key}\` is a literal access key ID`,
        why: "it names a long-lived IAM user key and its AWS account to anyone who can read the repository",
        hint: "keep it in a secret, or better, assume a role through GitHub's OIDC provider and drop the keys",
        label: "literal key ID",
        location: { path: origin.file.path, range: origin.range },
        related: related(ts, origin, callSite),
      });
    } else {
      out.push({
        level: "error",
        message:
          `\`${key}\` of ${stepRef} is a literal ${key === "aws-session-token" ? "session token" : "secret access key"}${where}: anyone who can read the repository, or any clone or fork of it, has the credential, and it stays in the Git history. ` +
          `Deactivate the key in IAM now, then pass keys only through \`\${{ secrets.… }}\`, or better, assume a role through GitHub's OIDC provider (\`role-to-assume\` with \`permissions: id-token: write\`).`,
        headline: `\`${key}\` is a literal ${key === "aws-session-token" ? "session token" : "secret access key"} in the repository`,
        why: "anyone who can read the repository, or any clone or fork of it, has the credential, and it stays in the Git history",
        hint: "deactivate the key in IAM now, then pass keys only through `${{ secrets.… }}`, or better, assume a role through OIDC",
        label: `literal ${key === "aws-session-token" ? "session token" : "secret key"}`,
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
      headline: `\`aws-secret-access-key\` comes from the configuration variable ${names(secret.source.names, "vars")}`,
      why: "variables are not secrets: their values are not masked in logs and anyone who can read the repository's variables sees them",
      hint: "move the key to a secret, or better, assume a role through GitHub's OIDC provider and drop the keys",
      label: "a variable, not a secret",
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
    headline: `long-lived access keys from ${names(unique(all), "secrets")} instead of OIDC`,
    why: "GitHub's OIDC provider can replace them with a short-lived token per job, and keys that never expire stay valid wherever they leak",
    hint: `trust \`token.actions.githubusercontent.com\` in IAM, grant \`id-token: write\`, set \`role-to-assume\` and remove ${joinList(present.map((k) => `\`${k}\``))}`,
    label: "long-lived key",
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
    const found = envValue(node, ts, env[1]!);
    if (found) return classify(node, ts, found.text, depth + 1);
  }
  return { kind: "other" };
}

// ---------- following a value to where it is written ----------

/**
 * The entry whose text becomes the input's value (the graph's value trace, `env.X` included):
 * locations point at keys, never at the value text, and `via` says how the value travels.
 */
function originOf(ctx: RuleContext, node: JobNode, ts: TimelineStep, key: string): Origin {
  const entry = ts.step.with.entries.find((e) => e.key === key)!;
  const hops = traceValue(ctx.graph, node, ts, entry, { env: true });
  const via: string[] = [];
  for (const hop of hops.slice(1)) {
    const t = hop.through!;
    if (t.kind === "env") via.push(`through \`env.${t.name}\``);
    else if (t.kind === "workflow-input") via.push(`through input \`${t.name}\` of the reusable workflow \`${t.holder}\``);
    else via.push(`through input \`${t.name}\` of \`${t.holder}\`${hop.kind === "default" ? " (its default)" : ""}`);
  }
  const last = hops[hops.length - 1]!;
  return { file: last.file, range: last.input?.range ?? last.entry!.keyRange, via };
}

/** The text a trace ends at: the step's own value after substitution, else the literal where it is written. */
function tracedText(ctx: RuleContext, node: JobNode, ts: TimelineStep, key: string): string {
  const entry = ts.step.with.entries.find((e) => e.key === key);
  if (!entry) return ts.with.get(key) ?? "";
  const hops = traceValue(ctx.graph, node, ts, entry, { env: true });
  const last = hops[hops.length - 1]!;
  if (hops.length === 1) return ts.with.get(key) ?? entry.value?.value ?? "";
  return last.input ? (last.input.default ?? "") : (last.entry?.value?.value ?? "");
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

