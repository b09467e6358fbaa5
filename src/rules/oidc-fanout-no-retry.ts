/**
 * oidc-fanout-no-retry: many jobs of one workflow run exchange OIDC tokens at the same moment and
 * the identity provider intermittently answers "Couldn't retrieve verification key from your identity
 * provider". configure-aws-credentials retries that from v1.6.1 on, unless the workflow turned the
 * retry off. This rule counts the exchanges that can start together and flags calls without retry.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, JobNode, TimelineStep } from "../graph/types.js";
import type { Entry, SourceFile } from "../model/types.js";
import { declaresInput, newestTag, retryAttempts, RETRY_SINCE, versionAtLeast, type ConfigureVersion } from "../knowledge/configure-aws-credentials.js";
import type { Fix, RelatedLocation, Report, Rule, RuleContext } from "./types.js";
import { effectiveInput } from "../graph/configure.js";
import { ConcurrentJobs, factor, participants, type ConcurrentSet, type Participant } from "../graph/concurrency.js";
import { onlyWorkflowCall } from "../graph/permissions.js";
import { removeEntries, replaceRefInScalar } from "../edit/yaml-edit.js";
import { isFullSha, shortRef } from "../knowledge/version.js";
import { code, plural } from "./support/wording.js";
import { matrixText } from "./support/matrix-text.js";

export const RULE_ID = "oidc-fanout-no-retry";
export const IDP_ERROR = "Couldn't retrieve verification key from your identity provider";
const MAX_RELATED_JOBS = 10;
const MAX_LISTED_JOBS = 12;

interface RetryOff {
  /** Why this call does not retry, for the message. */
  reason: string;
  options: string[];
  fix?: Fix;
  fixNote?: string;
}

interface Candidate {
  report: Report;
  total: number;
  /** Composite call sites and reusable-workflow callers through which the step is reached. */
  sites: RelatedLocation[];
  /** The jobs counted as running at the same time (of the reported, worst-case instance). */
  peers: RelatedLocation[];
}

export const oidcFanoutNoRetry: Rule = {
  id: RULE_ID,
  title: "Parallel OIDC token exchanges without retry",
  description:
    "Reports configure-aws-credentials OIDC calls that do not retry (a version before v1.6.1, `disable-retry: true`, `retry-max-attempts: 1`) in workflows where several jobs can exchange OIDC tokens at the same time.",
  defaultLevel: "warning",
  tags: ["reliability", "aws", "oidc"],
  precision: "high",
  fixable: "both",
  options: {
    threshold: {
      description: "Number of OIDC token exchanges that can run at the same time from which calls without retry are reported.",
      // One exchange alone is no fan-out: the configuration has always required 2 or more.
      schema: { type: "integer", minimum: 2 },
      default: 2,
    },
  },
  check(ctx) {
    const threshold = thresholdOf(ctx);
    const called = new Set<string>();
    for (const n of allJobNodes(ctx.graph)) if (n.called) called.add(n.called.workflow.file.path);

    const candidates = new Map<string, Candidate>();
    for (const wf of ctx.graph.workflows) {
      // A reusable workflow called from this repository is counted under its callers, with their inputs.
      if (onlyWorkflowCall(wf) && called.has(wf.file.path)) continue;
      const tops = ctx.graph.jobsByWorkflow.get(wf.file.path) ?? [];
      const parts = participants(tops, (node) => node.configureCalls.some((c) => c.oidc));
      if (parts.length === 0) continue;
      const fanout = new ConcurrentJobs(parts);

      for (const p of parts) {
        const offCalls = p.node.configureCalls
          .filter((c) => c.oidc)
          .map((c) => ({ call: c, off: retryOff(p.node, c) }))
          .filter((x): x is { call: ConfigureCall; off: RetryOff } => !!x.off);
        if (offCalls.length === 0) continue;
        const sum = fanout.others(p);
        // The heaviest set never weighs more than every concurrent job together.
        if (p.weight + sum.weight < threshold) continue;
        const set = fanout.heaviest(p, sum, MAX_LISTED_JOBS);
        const total = p.weight + set.weight;
        if (total < threshold) continue;
        for (const { call, off } of offCalls) {
          const ts = p.node.timeline[call.timelineIndex]!;
          const uses = ts.step.uses!;
          const key = `${ts.file.path}\0${uses.node.range.start.offset}`;
          const report: Report = {
            message: message(p, ts, off, set, total),
            headline: `${total} parallel OIDC token exchanges, and job ${code(p.node.job.id)} does not retry`,
            why: `under that load the identity provider intermittently fails with "${IDP_ERROR}", and nothing retries`,
            hint: off.options.join("; "),
            label: off.reason,
            location: { path: ts.file.path, range: uses.node.range },
          };
          if (off.fix) report.fix = off.fix;
          else if (off.fixNote) report.fixNote = off.fixNote;
          const here: Candidate = { report, total, sites: callSites(p, ts), peers: peers(set.members) };
          const prev = candidates.get(key);
          if (!prev) candidates.set(key, here);
          else {
            // One configure step reached from several jobs: report the worst case, point at every caller.
            const keep = total > prev.total ? here : prev;
            keep.sites = mergeRelated(prev.sites, here.sites);
            candidates.set(key, keep);
          }
        }
      }
    }
    for (const c of candidates.values()) ctx.report({ ...c.report, related: [...c.sites, ...c.peers] });
  },
};

/** Option `threshold`: the engine fills in the default and has checked the value against its schema. */
function thresholdOf(ctx: RuleContext): number {
  return ctx.options.threshold as number;
}

// ---------- retry ----------

interface InputValue {
  value: string;
  /** The literal `with:` entry of the step, when the value is written there (not substituted). */
  entry?: Entry;
  /** Where the value comes from when not the step's own literal text. */
  origin?: string;
  /** The value is an environment variable standing in for the input (v4.2.0+). */
  env?: boolean;
}

/** An input as the action reads it (the graph's effective input), with where the value comes from. */
function inputOf(node: JobNode, call: ConfigureCall, name: string): InputValue | undefined {
  const eff = effectiveInput(node, call, name);
  if (!eff) return undefined;
  if (eff.env) {
    const scope = eff.env.scope === "job" ? `job env of \`${node.job.id}\`` : eff.env.scope === "workflow" ? "workflow env" : "step env";
    return { value: eff.text, origin: `from \`${eff.env.name}\` in the ${scope}`, env: true };
  }
  const input = eff.input!;
  if (input.origin?.kind === "step") return { value: eff.text, entry: input.entry };
  return { value: eff.text, origin: `from \`${input.entry.value?.value ?? eff.text}\`` };
}

type Truth = "true" | "false" | "unknown";

function boolOf(iv: InputValue | undefined): Truth {
  if (!iv) return "false";
  if (iv.value.includes("${{")) return "unknown";
  return iv.value.trim().toLowerCase() === "true" ? "true" : "false";
}

function attemptsOf(iv: InputValue | undefined): number | "unknown" {
  return iv?.value.includes("${{") ? "unknown" : retryAttempts(iv?.value);
}

function refText(v: ConfigureVersion): string {
  return isFullSha(v.ref) ? `\`@${shortRef(v.ref, 7)}…\`` : `\`@${v.ref}\``;
}

function retryOff(node: JobNode, call: ConfigureCall): RetryOff | undefined {
  const v = call.version;
  const atLeast = versionAtLeast(v, RETRY_SINCE);
  // Unknown code: no guessing.
  if (atLeast === undefined) return undefined;
  const ts = node.timeline[call.timelineIndex]!;
  const file = ts.file;
  const maxParallel = "or limit how many of these jobs start together (`strategy.max-parallel`, or `needs:` between them)";
  if (atLeast === false) {
    const major = v.semver![0];
    const newest = newestTag(major);
    const off: RetryOff = {
      reason: `${refText(v)} runs ${v.tag} code, which has no retry (automatic retry arrived in ${RETRY_SINCE})`,
      options: [`upgrade to ${newest?.tag ?? "a release"} (the newest v${major}) or any release from ${RETRY_SINCE} on`, maxParallel],
    };
    const fix = file && newest ? upgradeFix(file, ts, v, newest) : undefined;
    if (fix) off.fix = fix;
    else off.fixNote = "no newer release of this major in the table, or the ref could not be located in the `uses:` value";
    return off;
  }

  const scw = "special-characters-workaround";
  if (declaresInput(v, scw)) {
    const special = boolOf(inputOf(node, call, scw));
    // The workaround forces retry on (12 attempts); an expression may or may not set it.
    if (special !== "false") return undefined;
  }
  const reasons: string[] = [];
  const options: string[] = [];
  const culprits: InputValue[] = [];
  if (declaresInput(v, "disable-retry")) {
    const iv = inputOf(node, call, "disable-retry");
    if (boolOf(iv) === "true") {
      reasons.push(`\`disable-retry: ${iv!.value.trim()}\`${iv!.origin ? ` (${iv!.origin})` : ""} turns retry off`);
      options.push("drop `disable-retry: true`");
      culprits.push(iv!);
    }
  }
  if (declaresInput(v, "retry-max-attempts")) {
    const iv = inputOf(node, call, "retry-max-attempts");
    const n = attemptsOf(iv);
    if (n === 1) {
      const raw = iv!.value.trim();
      const what = Number.parseInt(raw) === 1 ? "allows a single attempt" : "is raised to 1: a single attempt";
      reasons.push(`\`retry-max-attempts: ${raw}\`${iv!.origin ? ` (${iv!.origin})` : ""} ${what}`);
      options.push("raise `retry-max-attempts` to 2 or more (or drop it: the default is 12)");
      culprits.push(iv!);
    }
  }
  if (reasons.length === 0) return undefined;
  options.push(maxParallel);
  const off: RetryOff = { reason: reasons.join(" and "), options };
  const notLiteral = culprits.find((c) => !c.entry);
  if (notLiteral) {
    off.fixNote = notLiteral.env
      ? `the value comes ${notLiteral.origin}; change it there`
      : `the value comes ${notLiteral.origin}; change what the composite call or the reusable-workflow caller passes`;
  }
  else if (file) {
    const edits = removeEntries(file, ts.step.with, culprits.map((c) => c.entry!));
    if (edits) {
      off.fix = {
        description: `remove ${culprits.map((c) => `\`${c.entry!.key}\``).join(" and ")} so the action retries the token exchange (12 attempts)`,
        safe: true,
        edits,
      };
    } else off.fixNote = "the entries could not be removed without touching other text";
  }
  return off;
}

// ---------- fixes ----------

/**
 * Moves a pre-v1.6.1 ref to the newest release of its major: a tag becomes that tag; a commit SHA
 * becomes that release's commit, with its `# vX.Y.Z` comment updated or added (never inside a flow
 * mapping).
 */
function upgradeFix(file: SourceFile, ts: TimelineStep, v: ConfigureVersion, newest: { tag: string; commit: string }): Fix | undefined {
  const isSha = isFullSha(v.ref);
  const edits = replaceRefInScalar(file, ts.step.uses!.node, v.ref, isSha ? newest.commit : newest.tag, isSha ? newest.tag : undefined);
  if (!edits) return undefined;
  return {
    description: `upgrade ${refText(v)} to ${newest.tag}, the newest release of v${v.semver![0]} (retries since ${RETRY_SINCE}); newer code runs`,
    safe: false,
    edits,
  };
}

// ---------- message ----------



function ownTerm(p: Participant): string {
  let s = matrixText(p.node);
  let scaled = false;
  for (let i = p.path.length - 2; i >= 0; i--) {
    const caller = p.path[i]!;
    const f = factor(caller);
    if (f.n === 1) continue;
    s += ` × ${f.n} (${f.unknown ? "unknown-size matrix, counted as 2, of" : "matrix of"} calling job ${code(caller.job.id)})`;
    scaled = true;
  }
  if (scaled) s += ` = ${plural(p.weight, "job")}`;
  return s;
}

/** A job's id, prefixed by its callers' for jobs of called workflows (two callers may reach one `deploy`). */
function label(p: Participant): string {
  return p.path.map((n) => code(n.job.id)).join("→");
}

function where(p: Participant, ts: TimelineStep): string {
  const parts: string[] = [];
  if (ts.chain.length > 0) parts.push(`inside composite ${code(ts.chain[0]!.step.uses?.node.value ?? "")}`);
  if (p.path.length > 1) {
    const caller = p.path[p.path.length - 2]!;
    parts.push(`reusable workflow ${code(p.node.workflow.file.repoPath)} called by job ${code(caller.job.id)}`);
  }
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function message(p: Participant, ts: TimelineStep, off: RetryOff, set: ConcurrentSet, total: number): string {
  const othersSum = total - p.weight;
  const arithmetic = othersSum > 0 ? `${ownTerm(p)}, plus ${plural(othersSum, "parallel job")}` : ownTerm(p);
  const notes: string[] = [];
  if (!set.exact) notes.push("an upper bound: too many OIDC jobs to compute the exact maximum");
  if (p.unknown || set.unknown) notes.push("each matrix of unknown size counted as 2");
  const count = 1 + set.count;
  const listing =
    [p, ...set.members].slice(0, MAX_LISTED_JOBS).map((m) => `${label(m)} ${m.weight}`).join(", ") +
    (count > MAX_LISTED_JOBS ? `, and ${count - MAX_LISTED_JOBS} more` : "");
  return (
    `OIDC token exchange without retry in job ${code(p.node.job.id)}${where(p, ts)}: ${off.reason}; ` +
    `${arithmetic}: up to ${total} simultaneous token exchanges (${[...notes, `per job: ${listing}`].join("; ")}). ` +
    `Under that load the identity provider intermittently fails with "${IDP_ERROR}", and nothing retries. ` +
    `Options: ${off.options.join("; ")}.`
  );
}

function callSites(p: Participant, ts: TimelineStep): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  if (ts.chain.length > 0) {
    const site = ts.chain[0]!;
    if (site.step.uses) out.push({ path: site.file.path, range: site.step.uses.node.range, message: `composite call in job \`${p.node.job.id}\`` });
  }
  for (let i = p.path.length - 2; i >= 0; i--) {
    const caller = p.path[i]!;
    out.push({
      path: caller.workflow.file.path,
      range: caller.job.uses?.keyRange ?? caller.job.idRange,
      message: `job \`${caller.job.id}\` calls the reusable workflow holding job \`${p.node.job.id}\``,
    });
  }
  return out;
}

function peers(members: readonly Participant[]): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  for (const m of members.slice(0, MAX_RELATED_JOBS)) {
    out.push({
      path: m.node.workflow.file.path,
      range: m.node.job.idRange,
      message: `job ${label(m)} can exchange OIDC tokens at the same time (${plural(m.weight, "job")})`,
    });
  }
  return out;
}

function mergeRelated(a: RelatedLocation[], b: RelatedLocation[]): RelatedLocation[] {
  const out = [...a];
  const seen = new Set(a.map((r) => `${r.path}\0${r.range.start.offset}`));
  for (const r of b) {
    const k = `${r.path}\0${r.range.start.offset}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}
