/**
 * missing-id-token-permission: a job exchanges an OIDC token with configure-aws-credentials while
 * its effective GITHUB_TOKEN permissions lack `id-token: write`. The runner then never hands the job
 * an OIDC token: the action falls back to the default AWS credential chain, which fails on runners
 * without AWS credentials of their own; or, when a called job asks for `id-token: write` itself and
 * the caller does not grant it, GitHub rejects the run before it starts.
 *
 * Levels (docs/rules/missing-id-token-permission.md, "Levels"):
 * - error: an explicit block (the job's, its workflow's, or a caller's) withholds the scope, or no
 *   block anywhere and nothing asks for it (the default token never has `id-token`), and the job
 *   runs on GitHub-hosted runners; a startup rejection (a called job asks, an explicit caller block
 *   or `default-token-permissions: restricted` withholds) whatever the runner.
 * - warning: no block anywhere in the caller chain while a called job asks for `id-token: write`
 *   (the repository's default token setting decides); or the runner may carry AWS credentials of its
 *   own (AWS CodeBuild-hosted, self-hosted, or a `runs-on` decided at run time), which the action
 *   falls back to.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, JobNode } from "../graph/types.js";
import type { Permissions, Range, SourceFile } from "../model/types.js";
import type { Fix, Level, NoFix, RelatedLocation, Report, Rule } from "./types.js";
import { LEVEL_RANK } from "./types.js";
import { declaredPermissions, idTokenFor, idTokenWithSetting, type Declared } from "../graph/permissions.js";
import { runnerKind, type RunnerKind } from "../graph/runner.js";
import { addBlockFirst, entryLines, setEntry } from "../edit/yaml-edit.js";
import { code } from "./support/wording.js";

export const RUNTIME_ERROR =
  "Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers";

/** Scopes the unsafe fix grants when the job had no `permissions:` anywhere (checkout needs `contents: read`). */
const NEW_BLOCK_SCOPES = ["contents: read", "id-token: write"];

/**
 * What happens to one OIDC call:
 * - startup: GitHub rejects the run before any job starts (a called job asks for `id-token: write`
 *   beyond its caller's ceiling); `bySetting` when the ceiling is the restricted default.
 * - runtime: the job runs without an OIDC token and the action falls back to the runner's credentials.
 * - setting: callers declare nothing and a called job asks: the repository's default setting decides.
 */
type Outcome =
  | { kind: "startup"; requester: JobNode; bySetting: boolean }
  | { kind: "runtime"; runner: RunnerKind; runnerText: string }
  | { kind: "setting"; requester: JobNode };

interface OidcUse {
  node: JobNode;
  call: ConfigureCall;
  outcome: Outcome;
  level: Level;
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
    const setting = ctx.settings.defaultTokenPermissions;
    const losses = new Map<string, Loss>();
    for (const node of allJobNodes(ctx.graph)) {
      // Statically skipped steps (and jobs) are not in configureCalls: they never ask for a token.
      const calls = node.configureCalls.filter((c) => c.oidc);
      if (calls.length === 0) continue;
      const verdict = idTokenWithSetting(idTokenFor(node), setting);
      if (verdict.state !== "missing" && verdict.state !== "default-decides") continue;
      const holder = verdict.lostAt;
      const isCaller = holder !== node;
      const outcome: Outcome =
        verdict.state === "default-decides"
          ? { kind: "setting", requester: verdict.requestedBy }
          : verdict.requestedBy
            ? { kind: "startup", requester: verdict.requestedBy, bySetting: verdict.declared.where === "default" }
            : runtimeOutcome(node);
      const range = locationOf(holder, isCaller);
      const key = `${holder.workflow.file.path}\0${range.start.offset}`;
      const loss = losses.get(key) ?? { holder, declared: verdict.declared, isCaller, uses: [], seen: new Set<string>() };
      for (const call of calls) {
        const ts = node.timeline[call.timelineIndex]!;
        const stepKey = `${ts.file.path}\0${ts.step.range.start.offset}`;
        if (loss.seen.has(stepKey)) continue;
        loss.seen.add(stepKey);
        loss.uses.push({ node, call, outcome, level: levelOf(outcome) });
      }
      losses.set(key, loss);
    }
    for (const loss of losses.values()) ctx.report(finding(loss));
  },
};

function runtimeOutcome(node: JobNode): Outcome {
  const r = runnerKind(node);
  return { kind: "runtime", runner: r.kind, runnerText: r.text };
}

function levelOf(o: Outcome): Level {
  if (o.kind === "startup") return "error";
  if (o.kind === "setting") return "warning";
  return o.runner === "github-hosted" ? "error" : "warning";
}

/** The job's `permissions:` key, else its id; for a reusable-workflow caller, its `uses:` key. */
function locationOf(holder: JobNode, isCaller: boolean): Range {
  const job = holder.job;
  if (isCaller && job.uses) return job.uses.keyRange;
  return job.permissions?.keyRange ?? job.idRange;
}

/** The use the finding is about: the first of the worst level (a certain failure before a conditional one). */
function primaryUse(loss: Loss): OidcUse {
  let best = loss.uses[0]!;
  for (const u of loss.uses) if (LEVEL_RANK[u.level] > LEVEL_RANK[best.level]) best = u;
  return best;
}

function finding(loss: Loss): Report {
  const { holder, declared, isCaller } = loss;
  const file = holder.workflow.file;
  const primary = primaryUse(loss);
  const text = wording(loss, primary);
  return {
    level: primary.level,
    headline: text.headline,
    why: text.why,
    hint: text.hint,
    label: text.label,
    message: text.message,
    location: { path: file.path, range: locationOf(holder, isCaller) },
    related: related(loss),
    fix: (): Fix | NoFix | undefined => {
      const r = buildFix(holder, declared, primary.outcome, loss.uses.some((x) => switchesToOidc(x.outcome)));
      return r.fix ?? (r.note !== undefined ? { note: r.note } : undefined);
    },
  };
}

// ---------- message ----------

interface Wording {
  headline: string;
  why: string;
  hint: string;
  label: string;
  message: string;
}

function describeCall(u: OidcUse): string {
  const ts = u.node.timeline[u.call.timelineIndex]!;
  const role = u.call.role ? ` assumes ${code(u.call.role)}` : " assumes a role";
  const via = ts.chain.length > 0 ? ` (inside composite ${code(ts.chain[0]!.step.uses?.node.value ?? "")})` : "";
  return `${role} through OIDC with ${code(ts.step.uses?.node.value ?? "aws-actions/configure-aws-credentials")}${via}`;
}

function whyMissing(declared: Declared, who: string): string {
  const p = declared.permissions;
  if (declared.where === "default") {
    return `neither ${who} nor its workflow sets \`permissions:\` (the default GITHUB_TOKEN permissions, permissive or restricted, never include \`id-token: write\`)`;
  }
  const whose = declared.where === "job" ? `its \`permissions:\`` : `its workflow's \`permissions:\` (line ${p!.keyRange.start.line}), which ${who} inherits,`;
  if (p!.kind === "read-all") return `${whose} ${declared.where === "job" ? "is" : "are"} \`read-all\`, which does not include \`id-token: write\``;
  const idToken = p!.entries.find((e) => e.key === "id-token");
  if (idToken) return `${whose} set${declared.where === "job" ? "s" : ""} \`id-token: ${idToken.value?.value ?? ""}\`; only \`write\` lets the job request a token`;
  return `${whose} ${declared.where === "job" ? "omits" : "omit"} \`id-token\` (an explicit \`permissions:\` block sets every scope it omits to \`none\`)`;
}

/** What the caller's permissions say for id-token, as GitHub's validation message names it. */
function allowedIdToken(declared: Declared): string {
  const e = declared.permissions?.kind === "map" ? declared.permissions.entries.find((x) => x.key === "id-token") : undefined;
  return e?.value?.value.trim() || "none";
}

function startupMessage(requester: JobNode, declared: Declared): string {
  return `The nested job '${requester.job.id}' is requesting 'id-token: write', but is only allowed 'id-token: ${allowedIdToken(declared)}'.`;
}

/** What the fallback to the default credential chain does on the job's runner. */
function fallback(u: OidcUse, o: Extract<Outcome, { kind: "runtime" }>): { text: string; condition?: string } {
  const role = u.call.role ? code(u.call.role) : "the role";
  const head = "Without it the runner issues no OIDC token and the action falls back to the default AWS credential chain";
  switch (o.runner) {
    case "github-hosted":
      return { text: `${head}, which is empty on GitHub-hosted runners (${o.runnerText}): the step fails with "${RUNTIME_ERROR}".` };
    case "codebuild":
      return {
        text:
          `${head}: on this AWS CodeBuild-hosted runner (${o.runnerText}) that is the CodeBuild project's service role, so the step works only if that role may assume ${role} ` +
          `(its policy allows \`sts:AssumeRole\` and ${role} trusts it), and fails with "${RUNTIME_ERROR}" or an access-denied error otherwise. ` +
          "Whether it may is set in AWS IAM, not in these files.",
        condition: `the CodeBuild project's service role may assume ${role}`,
      };
    case "self-hosted":
      return {
        text:
          `${head}: on a self-hosted runner (${o.runnerText}) that is whatever AWS credentials the machine has (an EC2 instance profile, environment variables, \`~/.aws\`), ` +
          `so the step works only if those exist and may assume ${role}, and fails with "${RUNTIME_ERROR}" otherwise. ` +
          "Which machines serve these labels and what role they carry is not in these files.",
        condition: `the runner's own AWS credentials (an instance profile) may assume ${role}`,
      };
    default:
      return {
        text:
          `${head}. The runner is chosen at run time (${o.runnerText}): on a GitHub-hosted runner the step fails with "${RUNTIME_ERROR}"; ` +
          `on a runner with AWS credentials of its own (CodeBuild-hosted, or self-hosted with an instance profile) the action uses those and works if they may assume ${role}.`,
        condition: `the runner it lands on has AWS credentials of its own that may assume ${role}`,
      };
  }
}

function wording(loss: Loss, u: OidcUse): Wording {
  const { holder, declared, isCaller } = loss;
  const more = loss.uses.length > 1 ? ` (and ${loss.uses.length - 1} more OIDC call${loss.uses.length > 2 ? "s" : ""})` : "";
  const o = u.outcome;
  const holderId = code(holder.job.id);
  const settle =
    "credflow cannot see that setting: write `default-token-permissions: permissive` or `restricted` in `.credflow.yml` (or pass `--default-token-permissions`) to settle it";

  if (!isCaller) {
    // The job running the calls withholds the scope itself (its block, its workflow's, or none).
    const rt = o as Extract<Outcome, { kind: "runtime" }>;
    const fb = fallback(u, rt);
    const grant =
      declared.where === "job"
        ? "Add `id-token: write` to the job's `permissions:`."
        : "Give the job a `permissions:` block with `id-token: write` (and the scopes it needs).";
    const hint = fb.condition ? `${grant.slice(0, -1)} to use GitHub's OIDC token; if the runner's own AWS role is meant to assume the role, this finding can be suppressed.` : grant;
    const headline = fb.condition
      ? `No \`id-token: write\` for job ${holderId}: its OIDC call relies on ${runnerShort(rt.runner)}`
      : `OIDC call in job ${holderId} without \`id-token: write\`: the step fails`;
    return {
      headline,
      why: fb.condition
        ? `Without an OIDC token the action falls back to the runner's own AWS credentials, which works only if ${fb.condition}.`
        : "Without `id-token: write` the runner issues no OIDC token and the action fails with \"Credentials could not be loaded\".",
      hint,
      label: declared.where === "default" ? "no `permissions:` here or in the workflow" : declared.where === "job" ? "no `id-token: write` here" : "inherits permissions without `id-token`",
      message: `job ${code(holder.job.id)}${describeCall(u)}${more}, but ${whyMissing(declared, "the job")}. ${fb.text} ${hint}`,
    };
  }

  const first = u.node;
  const target = first.workflow.file.repoPath;
  const direct = holder.called?.workflow.file.repoPath ?? holder.job.uses?.node.value ?? "";
  const through = first.caller !== holder && direct !== target ? ` (reached through ${code(direct)})` : "";
  const opening = `job ${code(first.job.id)} of reusable workflow ${code(target)}${through}${describeCall(u)}${more}, but the calling job ${holderId} grants a called workflow at most its own permissions`;
  const grantHint = `Grant \`id-token: write\` in the permissions of ${holderId}.`;

  if (o.kind === "startup") {
    const gh = startupMessage(o.requester, declared);
    const reason = o.bySetting
      ? `and neither ${holderId} nor its workflow sets \`permissions:\`, so the ceiling is the repository's default token permissions, which the configuration says are restricted (\`default-token-permissions: restricted\`): they never include \`id-token\``
      : `and ${whyMissing(declared, "the calling job")}`;
    return {
      headline: `Caller ${holderId} does not grant the \`id-token: write\` job ${code(o.requester.job.id)} asks for: the run fails at startup`,
      why: "A called job may not ask for more than its caller holds, so GitHub rejects the whole run before any job starts.",
      hint: grantHint,
      label: o.bySetting ? "no `permissions:` (restricted default)" : "grants no `id-token: write`",
      message: `${opening}, ${reason}. The called side asks for \`id-token: write\` itself (job ${code(o.requester.job.id)}), so GitHub rejects the run before it starts: "${gh}" ${grantHint}`,
    };
  }

  if (o.kind === "setting") {
    const gh = startupMessage(o.requester, { where: "default", state: "missing" });
    return {
      headline: `Job ${code(o.requester.job.id)} asks for \`id-token: write\`, no caller sets \`permissions:\`: the default setting decides`,
      why: "With no `permissions:` anywhere in the caller chain, the repository's default token setting is the ceiling: permissive allows the nested `id-token: write`, restricted rejects the run at startup.",
      hint: `Grant \`id-token: write\` in the permissions of ${holderId} so the call works under either setting, or set \`default-token-permissions:\` in \`.credflow.yml\`.`,
      label: "no `permissions:` in the caller chain",
      message:
        `${opening}, and no \`permissions:\` is set on ${holderId}, its workflow or any caller above it. ` +
        `The called side asks for \`id-token: write\` itself (job ${code(o.requester.job.id)}), so the repository's (or organisation's) default workflow permissions decide ` +
        `(Settings → Actions → General → Workflow permissions): with the permissive default ("Read and write permissions") the nested job may take \`id-token: write\` and the run works; ` +
        `with the restricted default ("Read repository contents and packages permissions", the default for repositories and organisations created since February 2023) GitHub rejects the run before it starts: "${gh}" ` +
        `${settle}. ${grantHint.slice(0, -1)} to make the run independent of that setting.`,
    };
  }

  const fb = fallback(u, o);
  const inherits =
    declared.where === "default"
      ? `and neither ${holderId} nor its workflow sets \`permissions:\`. The called job declares no permissions of its own, so it gets the caller's token, which has no \`id-token\` under either default (permissive or restricted)`
      : `and ${whyMissing(declared, "the calling job")}. The called job declares no permissions of its own, so it gets the caller's token without \`id-token\``;
  return {
    headline: fb.condition
      ? `Caller ${holderId} grants no \`id-token: write\`: job ${code(first.job.id)} relies on ${runnerShort(o.runner)}`
      : `Caller ${holderId} grants no \`id-token: write\`: the OIDC call in job ${code(first.job.id)} fails`,
    why: fb.condition
      ? `Without an OIDC token the action falls back to the runner's own AWS credentials, which works only if ${fb.condition}.`
      : "The called job inherits the caller's token without `id-token`, so the action gets no OIDC token and fails with \"Credentials could not be loaded\".",
    hint: fb.condition ? `${grantHint.slice(0, -1)} to use GitHub's OIDC token; if the runner's own AWS role is meant to assume the role, this finding can be suppressed.` : grantHint,
    label: declared.where === "default" ? "no `permissions:` for the called workflow" : "grants no `id-token: write`",
    message: `${opening}, ${inherits}. ${fb.text} ${grantHint}`,
  };
}

function runnerShort(kind: RunnerKind): string {
  return kind === "codebuild" ? "the CodeBuild runner's own AWS role" : kind === "self-hosted" ? "the self-hosted runner's own AWS role" : "the runner's own AWS credentials";
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
    if (u.outcome.kind === "startup" || u.outcome.kind === "setting") {
      const r = u.outcome.requester;
      const d = declaredPermissions(r.workflow, r.job);
      if (d.permissions) add({ path: r.workflow.file.path, range: d.permissions.keyRange, message: `job \`${r.job.id}\` asks for \`id-token: write\` itself with these permissions` });
    }
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

/**
 * On a runner that may carry its own AWS role, granting `id-token: write` switches the call from
 * that role to GitHub's OIDC token: the target role must then trust GitHub's identity provider.
 */
function switchesToOidc(outcome: Outcome): boolean {
  return outcome.kind === "runtime" && outcome.runner !== "github-hosted";
}

const SWITCH_NOTE =
  "; on this runner the call may be working with the runner's own AWS role today, and with `id-token: write` the action uses GitHub's OIDC token instead, which the role's trust policy must accept";

function buildFix(holder: JobNode, declared: Declared, outcome: Outcome, switches: boolean): FixResult {
  const r = buildFixFor(holder, declared, outcome);
  if (!r.fix || !switches) return r;
  return { fix: { ...r.fix, safe: false, description: r.fix.description + SWITCH_NOTE } };
}

function buildFixFor(holder: JobNode, declared: Declared, outcome: Outcome): FixResult {
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
  const why = outcome.kind === "setting" ? " so the call works whatever the repository's default token setting" : "";
  return {
    fix: {
      description:
        `add \`permissions: { ${shown} }\` to job \`${holder.job.id}\`${holder.called ? " (the scopes the called workflow declares)" : ""}${why}; ` +
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
