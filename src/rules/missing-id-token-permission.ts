/**
 * missing-id-token-permission: a job exchanges an OIDC token with configure-aws-credentials while
 * its effective GITHUB_TOKEN permissions lack `id-token: write`. The runner then never hands the job
 * an OIDC token; the action falls back to the SDK credential chain and fails.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, JobNode } from "../graph/types.js";
import type { Permissions, Range, SourceFile } from "../model/types.js";
import type { Fix, NoFix, RelatedLocation, Report, Rule, RuleContext } from "./types.js";
import { declaredPermissions, idTokenFor, type Declared } from "../graph/permissions.js";
import { addBlockFirst, entryLines, setEntry } from "../edit/yaml-edit.js";
import { code } from "./support/wording.js";

export const RUNTIME_ERROR =
  "Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers";

/** Scopes the unsafe fix grants when the job had no `permissions:` anywhere (checkout needs `contents: read`). */
const NEW_BLOCK_SCOPES = ["contents: read", "id-token: write"];

interface OidcUse {
  node: JobNode;
  call: ConfigureCall;
}

/** Every OIDC job whose token is withheld at one place (one job, or one caller's `uses:`). */
interface Loss {
  holder: JobNode;
  declared: Declared;
  /** The holder is a reusable-workflow caller, not the job running the calls. */
  isCaller: boolean;
  uses: OidcUse[];
  /** Configure steps already listed (a job is reached standalone and through callers). */
  seen: Set<string>;
}

export const missingIdTokenPermission: Rule = {
  id: "missing-id-token-permission",
  title: "OIDC configure call without `id-token: write`",
  description:
    "Reports jobs that assume an AWS role through OIDC with configure-aws-credentials (directly, through composite actions or in a called reusable workflow) while their effective permissions lack `id-token: write`.",
  defaultLevel: "error",
  tags: ["correctness", "aws", "oidc", "permissions"],
  precision: "very-high",
  fixable: "both",
  check(ctx) {
    const losses = new Map<string, Loss>();
    for (const node of allJobNodes(ctx.graph)) {
      const calls = node.configureCalls.filter((c) => c.oidc);
      if (calls.length === 0) continue;
      const verdict = idTokenFor(node);
      if (verdict.state !== "missing") continue;
      const holder = verdict.lostAt;
      const isCaller = holder !== node;
      const range = locationOf(holder, isCaller);
      const key = `${holder.workflow.file.path}\0${range.start.offset}`;
      const loss = losses.get(key) ?? { holder, declared: verdict.declared, isCaller, uses: [], seen: new Set<string>() };
      for (const call of calls) {
        const ts = node.timeline[call.timelineIndex]!;
        const stepKey = `${ts.file.path}\0${ts.step.range.start.offset}`;
        if (loss.seen.has(stepKey)) continue;
        loss.seen.add(stepKey);
        loss.uses.push({ node, call });
      }
      losses.set(key, loss);
    }
    for (const loss of losses.values()) ctx.report(finding(ctx, loss));
  },
};

/** The job's `permissions:` key, else its id; for a reusable-workflow caller, its `uses:` key. */
function locationOf(holder: JobNode, isCaller: boolean): Range {
  const job = holder.job;
  if (isCaller && job.uses) return job.uses.keyRange;
  return job.permissions?.keyRange ?? job.idRange;
}

function finding(_ctx: RuleContext, loss: Loss): Report {
  const { holder, declared, isCaller } = loss;
  const file = holder.workflow.file;
  return {
    message: message(loss, isCaller),
    location: { path: file.path, range: locationOf(holder, isCaller) },
    related: related(loss),
    fix: (): Fix | NoFix | undefined => {
      const r = buildFix(holder, declared);
      return r.fix ?? (r.note !== undefined ? { note: r.note } : undefined);
    },
  };
}

// ---------- message ----------


function describeCall(u: OidcUse): string {
  const ts = u.node.timeline[u.call.timelineIndex]!;
  const role = u.call.role ? ` assumes ${code(u.call.role)}` : " assumes a role";
  const via = ts.chain.length > 0 ? ` (inside composite ${code(ts.chain[0]!.step.uses?.node.value ?? "")})` : "";
  return `${role} through OIDC with ${code(ts.step.uses?.node.value ?? "aws-actions/configure-aws-credentials")}${via}`;
}

function whyMissing(declared: Declared, who: string): string {
  const p = declared.permissions;
  if (declared.where === "default") {
    return `neither ${who} nor its workflow sets \`permissions:\` (the default GITHUB_TOKEN permissions never include \`id-token: write\`)`;
  }
  const whose = declared.where === "job" ? `its \`permissions:\`` : `its workflow's \`permissions:\` (line ${p!.keyRange.start.line}), which ${who} inherits,`;
  if (p!.kind === "read-all") return `${whose} ${declared.where === "job" ? "is" : "are"} \`read-all\`, which does not include \`id-token: write\``;
  const idToken = p!.entries.find((e) => e.key === "id-token");
  if (idToken) return `${whose} set${declared.where === "job" ? "s" : ""} \`id-token: ${idToken.value?.value ?? ""}\`; only \`write\` lets the job request a token`;
  return `${whose} ${declared.where === "job" ? "omits" : "omit"} \`id-token\` (an explicit \`permissions:\` block sets every scope it omits to \`none\`)`;
}

function message(loss: Loss, isCaller: boolean): string {
  const { holder, declared } = loss;
  const first = loss.uses[0]!;
  const more = loss.uses.length > 1 ? ` (and ${loss.uses.length - 1} more OIDC call${loss.uses.length > 2 ? "s" : ""})` : "";
  const consequence = `Without it the runner issues no OIDC token, the action falls back to the default credential chain and fails with "${RUNTIME_ERROR}".`;
  if (!isCaller) {
    const fixHint =
      declared.where === "job"
        ? "Add `id-token: write` to the job's `permissions:`."
        : "Give the job a `permissions:` block with `id-token: write` (and the scopes it needs).";
    return `job ${code(holder.job.id)}${describeCall(first)}${more}, but ${whyMissing(declared, "the job")}. ${consequence} ${fixHint}`;
  }
  const target = holder.called?.workflow.file.repoPath ?? holder.job.uses?.node.value ?? "";
  const requester = requesterBelow(loss);
  // A called job that asks for id-token: write itself makes GitHub reject the run before it starts.
  const outcome = requester
    ? `The called side asks for \`id-token: write\` itself (job ${code(requester.job.id)}), so GitHub rejects the run before it starts: ` +
      `"The nested job '${requester.job.id}' is requesting 'id-token: write', but is only allowed 'id-token: ${allowedIdToken(declared)}'."`
    : consequence;
  return (
    `job ${code(first.node.job.id)} of reusable workflow ${code(target)}${describeCall(first)}${more}, ` +
    `but the calling job ${code(holder.job.id)} grants a called workflow at most its own permissions, and ${whyMissing(declared, "the calling job")}. ` +
    `${outcome} Grant \`id-token: write\` in the permissions of ${code(holder.job.id)}.`
  );
}

/** A job between the OIDC jobs and the caller that declares `id-token: write` for itself (job or workflow level). */
function requesterBelow(loss: Loss): JobNode | undefined {
  for (const u of loss.uses) {
    for (let n: JobNode | undefined = u.node; n && n !== loss.holder; n = n.caller) {
      const d = declaredPermissions(n.workflow, n.job);
      if (d.where !== "default" && d.state === "granted") return n;
    }
  }
  return undefined;
}

/** What the caller's permissions say for id-token, as GitHub's validation message names it. */
function allowedIdToken(declared: Declared): string {
  const e = declared.permissions?.kind === "map" ? declared.permissions.entries.find((x) => x.key === "id-token") : undefined;
  return e?.value?.value.trim() || "none";
}

function related(loss: Loss): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const seen = new Set<string>();
  const add = (r: RelatedLocation): void => {
    const k = `${r.path}\0${r.range.start.offset}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(r);
  };
  for (const u of loss.uses) {
    const ts = u.node.timeline[u.call.timelineIndex]!;
    if (ts.chain.length > 0) {
      const site = ts.chain[0]!;
      if (site.step.uses) add({ path: site.file.path, range: site.step.uses.node.range, message: "composite call that reaches the OIDC configure call" });
    }
    if (ts.step.uses) add({ path: ts.file.path, range: ts.step.uses.node.range, message: `OIDC configure call in job \`${u.node.job.id}\`` });
  }
  const p = loss.declared.where === "workflow" ? loss.declared.permissions : undefined;
  if (p) add({ path: loss.holder.workflow.file.path, range: p.keyRange, message: "workflow-level permissions the job inherits" });
  return out;
}

// ---------- fix ----------

interface FixResult {
  fix?: Fix;
  note?: string;
}

function buildFix(holder: JobNode, declared: Declared): FixResult {
  const file = holder.workflow.file;
  const p = declared.permissions;
  if (declared.where === "job" && p) return extendJobPermissions(file, p);
  if (declared.where === "workflow" && p) {
    if (p.kind !== "map") return { note: `the workflow's \`permissions: ${p.kind}\` cannot be copied with one scope changed; list the scopes the job needs plus \`id-token: write\`` };
    const lines = copiedScopes(file, p);
    const edit = addBlockFirst(file, { keyRange: holder.job.idRange, range: holder.job.range }, "permissions", lines);
    if (!edit) return { note: "the job is not a block mapping; add `permissions:` by hand" };
    return {
      fix: {
        description: `give job \`${holder.job.id}\` its own \`permissions:\` with the workflow's scopes plus \`id-token: write\``,
        safe: true,
        edits: [edit],
      },
    };
  }
  // A reusable-workflow caller must grant what the called jobs declare, or GitHub rejects the call.
  const scopes = holder.called ? requestedScopes(holder) : NEW_BLOCK_SCOPES;
  if (!scopes) return { note: "the called workflow declares `read-all`, `write-all` or an expression; write the caller's `permissions:` by hand" };
  const edit = addBlockFirst(file, { keyRange: holder.job.idRange, range: holder.job.range }, "permissions", scopes);
  if (!edit) return { note: "the job is not a block mapping; add `permissions:` by hand" };
  const shown = scopes.join(", ");
  return {
    fix: {
      description:
        `add \`permissions: { ${shown} }\` to job \`${holder.job.id}\`${holder.called ? " (the scopes the called workflow declares)" : ""}; ` +
        "this replaces the default token permissions for the job, so any other scope it uses (pushing, commenting, packages...) must be added",
      safe: false,
      edits: [edit],
    },
  };
}

const LEVEL_ORDER: Record<string, number> = { none: 0, read: 1, write: 2 };

/**
 * The scopes a reusable-workflow caller must grant: the highest level each scope is declared with by
 * the called jobs (job block, else their workflow's; through nested callers), `contents: read` at
 * least, and `id-token: write`. Undefined when a declaration is not a map.
 */
function requestedScopes(caller: JobNode): string[] | undefined {
  const levels = new Map<string, string>([["contents", "read"]]);
  let ok = true;
  const visit = (n: JobNode): void => {
    for (const j of n.called?.jobs ?? []) {
      const d = declaredPermissions(j.workflow, j.job);
      if (d.where === "default") {
        visit(j);
        continue;
      }
      if (d.permissions?.kind !== "map") {
        ok = false;
        continue;
      }
      for (const e of d.permissions.entries) {
        const v = e.value?.value.trim() ?? "";
        if (!(v in LEVEL_ORDER)) {
          ok = false;
          continue;
        }
        const prev = levels.get(e.key);
        if (prev === undefined || LEVEL_ORDER[v]! > LEVEL_ORDER[prev]!) levels.set(e.key, v);
      }
    }
  };
  visit(caller);
  if (!ok) return undefined;
  levels.set("id-token", "write");
  return [...levels].filter(([, v]) => v !== "none").map(([k, v]) => `${k}: ${v}`);
}

/** Adds (or corrects) `id-token: write` in the job's own `permissions:` value. */
function extendJobPermissions(file: SourceFile, p: Permissions): FixResult {
  if (p.kind === "read-all") {
    return { note: "`read-all` cannot be extended with one scope; replace it with a map of the scopes the job reads plus `id-token: write`" };
  }
  if (p.kind !== "map") return {};
  const existing = p.entries.find((e) => e.key === "id-token");
  const edit = setEntry(file, p, "id-token", "write");
  if (!edit) return {};
  const description = existing ? "set `id-token: write` in the job's `permissions:`" : "add `id-token: write` to the job's `permissions:`";
  return { fix: { description, safe: true, edits: [edit] } };
}

/** The workflow's scopes as they are written, with `id-token` set to `write` (added last when absent). */
function copiedScopes(file: SourceFile, p: Permissions): string[] {
  return entryLines(file, p.entries, { "id-token": "write" });
}
