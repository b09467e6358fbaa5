/**
 * composite-role-conflict: a local composite action that starts while one role's credentials are
 * exported, then assumes a different role and runs more steps. Runners older than v2.295.0 reset
 * every variable that existed when the composite started for all steps inside it, so those steps
 * still run as the earlier role (aws-actions/configure-aws-credentials#307, actions/runner#1794).
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, JobNode, TimelineStep } from "../graph/types.js";
import { effectiveTimeline } from "../graph/effective.js";
import type { Level, RelatedLocation, RuleContext, Rule } from "./types.js";

/** The runner release that stopped laying the composite's start snapshot over later exports. */
export const RUNNER_FIX_VERSION = "2.295.0";

/** What credentials a configure call sets, for comparison and messages; undefined when unclear. */
export function identityOf(node: JobNode, call: ConfigureCall): { key: string; text: string } | undefined {
  if (call.role) return { key: `role:${call.role}`, text: `role \`${call.role}\`` };
  const keyId = node.timeline[call.timelineIndex]?.with.get("aws-access-key-id")?.trim();
  if (keyId) return { key: `keys:${keyId}`, text: `static keys \`${keyId}\`` };
  return undefined;
}

/** A short human name for a step: its `name:`, else its `uses:`, else the first line of `run:`. */
export function stepLabel(ts: TimelineStep): string {
  const name = ts.step.name?.value.trim();
  if (name) return `\`${name}\``;
  if (ts.step.uses) return `\`uses: ${ts.step.uses.node.value}\``;
  const first = (ts.run ?? "").trim().split(/\r?\n/)[0] ?? "";
  if (first) return `\`run: ${first.length > 40 ? `${first.slice(0, 40)}…` : first}\``;
  return `step ${ts.step.index + 1}`;
}

/** "line 12" in the same file, else "path:12". */
export function where(from: string, path: string, line: number): string {
  return from === path ? `line ${line}` : `${path}:${line}`;
}

/** Where a configure call is, seen from `from`: its line, or the workflow call site that led to it. */
function describeCall(from: string, ts: TimelineStep): string {
  const at = where(from, ts.file.path, ts.step.uses!.node.range.start.line);
  const top = ts.chain[0];
  if (!top) return at;
  return `by \`${top.step.uses!.node.value}\` at ${where(from, top.file.path, top.step.uses!.node.range.start.line)}, configure call at ${at}`;
}

export type RunnerKind = "self-hosted" | "github-hosted" | "unknown";

// GitHub-hosted images and larger runners: ubuntu-latest, ubuntu-24.04-arm, windows-2022,
// macos-14-xlarge, ubuntu-latest-4-cores, ... A self-hosted runner answers to `self-hosted`
// plus its own labels; anything else is a label GitHub does not host.
const GITHUB_HOSTED = /^(ubuntu|windows|macos)-[a-z0-9][a-z0-9._-]*$/i;
const MATRIX_LABEL = /^\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}$/;

/** How `runs-on` labels are served: `self-hosted`, or labels GitHub does not host, mean self-hosted. */
export function classifyLabels(labels: string[]): RunnerKind {
  if (labels.some((l) => l.trim().toLowerCase() === "self-hosted")) return "self-hosted";
  if (labels.length === 0) return "unknown";
  return labels.every((l) => GITHUB_HOSTED.test(l.trim())) ? "github-hosted" : "self-hosted";
}

/** Self-hosted, GitHub-hosted, or unknown (an expression GitHub evaluates at run time). */
export function runnerKind(node: JobNode): { kind: RunnerKind; text: string } {
  const runsOn = node.job.runsOn;
  if (!runsOn) return { kind: "unknown", text: "no `runs-on`" };
  const shown = `\`runs-on: ${runsOn.group ? `group ${runsOn.group}` : ""}${runsOn.group && runsOn.labels.length ? ", " : ""}${runsOn.labels.join(", ")}\``;
  // A runner group is an organisation's own pool; GitHub cannot tell us its runner version.
  if (runsOn.group) return { kind: "self-hosted", text: shown };
  if (!runsOn.dynamic) return { kind: classifyLabels(runsOn.labels), text: shown };
  // `runs-on: ${{ matrix.os }}` with literal matrix values: classify every value it can take.
  const kinds = new Set<RunnerKind>();
  const resolved: string[] = [];
  for (const label of runsOn.labels) {
    const m = MATRIX_LABEL.exec(label.trim());
    if (!m) {
      if (label.includes("${{")) return { kind: "unknown", text: shown };
      kinds.add(classifyLabels([label]));
      continue;
    }
    const values = matrixValues(node, m[1]!);
    if (!values) return { kind: "unknown", text: shown };
    for (const v of values) kinds.add(v.includes("${{") ? "unknown" : classifyLabels([v]));
    resolved.push(...values);
  }
  const withValues = resolved.length ? `${shown} with matrix values ${resolved.map((v) => `\`${v}\``).join(", ")}` : shown;
  if (kinds.has("self-hosted")) return { kind: "self-hosted", text: withValues };
  if (kinds.has("unknown") || kinds.size === 0) return { kind: "unknown", text: withValues };
  return { kind: "github-hosted", text: withValues };
}

/** Literal values a matrix variable takes (axis values plus include entries), if all are known. */
function matrixValues(node: JobNode, name: string): string[] | undefined {
  const m = node.job.strategy?.matrix;
  if (!m || m.dynamic || m.include === "dynamic") return undefined;
  const out: string[] = [];
  const axis = m.axes.find((a) => a.name === name);
  if (axis) {
    if (!axis.values) return undefined;
    out.push(...axis.values);
  }
  for (const inc of m.include) if (inc[name] !== undefined) out.push(inc[name]);
  return out.length ? out : undefined;
}

/** "2.290.0" → [2, 290, 0]; undefined when it is not a version. */
function parseRunnerVersion(v: unknown): [number, number, number] | undefined {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(v).trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function below(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** The level for a job, and the sentence that explains it. */
function levelFor(node: JobNode, ctx: RuleContext): { level: Level; why: string } {
  const configured = ctx.options["min-runner-version"];
  const min = parseRunnerVersion(configured);
  const fix = parseRunnerVersion(RUNNER_FIX_VERSION)!;
  const fixed = "steps inside the composite see the new role, and it stays active for the caller's later steps after the composite returns.";
  if (min) {
    return below(min, fix)
      ? { level: "error", why: `The configured minimum runner version ${String(configured)} is older than v${RUNNER_FIX_VERSION}, so this job is affected.` }
      : { level: "note", why: `The configured minimum runner version ${String(configured)} has the runner fix: ${fixed}` };
  }
  const runner = runnerKind(node);
  if (runner.kind === "self-hosted") {
    return { level: "error", why: `The job runs on self-hosted runners (${runner.text}): unless all of them are v${RUNNER_FIX_VERSION} or newer, it is affected.` };
  }
  if (runner.kind === "github-hosted") {
    return { level: "note", why: `The job runs on GitHub-hosted runners (${runner.text}), which have the fix: ${fixed}` };
  }
  return {
    level: "warning",
    why: `The runner is decided at run time (${runner.text}): self-hosted or GHES runners older than v${RUNNER_FIX_VERSION} are affected, GitHub-hosted ones are not.`,
  };
}

export const compositeRoleConflict: Rule = {
  id: "composite-role-conflict",
  title: "Composite action assumes a second role while the first one's credentials are exported",
  description:
    "Reports a local composite action that starts after one role was exported, assumes a different role inside, and runs further steps: on runners older than v2.295.0 those steps still run as the first role.",
  defaultLevel: "error",
  tags: ["correctness", "aws", "composite"],
  precision: "high",
  fixable: false,
  options: {
    "min-runner-version": {
      description:
        "Lowest GitHub Actions runner version your jobs run on (self-hosted or GitHub Enterprise Server runners); when unset, each job's `runs-on` decides.",
      schema: {
        type: "string",
        pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+$",
        patternErrorMessage: 'expected a runner version such as "2.295.0"',
        examples: ["2.295.0"],
      },
    },
  },
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      const tl = node.timeline;
      if (node.configureCalls.length < 2) continue;
      const eff = effectiveTimeline(node, ctx.graph);
      const configureAt = new Set(eff.calls.map((c) => c.timelineIndex));
      for (const call of eff.calls) {
        const ts = tl[call.timelineIndex]!;
        if (ts.chain.length === 0) continue; // a direct workflow step: the runner bug cannot apply
        // The outermost composite on the chain that started while credentials were already exported:
        // its start snapshot is what steps inside it keep seeing on old runners.
        const depth = ts.chain.findIndex((site) => {
          const span = eff.spans.get(site.invocation);
          return span !== undefined && span.callIndex >= 0 && eff.active[span.callIndex] !== undefined;
        });
        if (depth < 0) continue;
        const started = eff.spans.get(ts.chain[depth]!.invocation)!;
        const before = eff.active[started.callIndex]!;
        const oldId = identityOf(node, before);
        const newId = identityOf(node, call);
        if (!oldId || !newId || oldId.key === newId.key) continue;

        // Steps inside that invocation that run after this call and before the next configure call;
        // composite call steps only wrap their own steps, which are counted themselves.
        const stale: TimelineStep[] = [];
        for (let j = call.timelineIndex + 1; j <= started.end; j++) {
          if (configureAt.has(j)) break;
          if (!eff.callSteps.has(j) && !eff.skipped.has(j)) stale.push(tl[j]!);
        }
        if (stale.length === 0) continue;

        const top = ts.chain[0]!;
        const topUses = top.step.uses!;
        const path = top.file.path;
        const earlierTs = tl[before.timelineIndex]!;
        const { level, why } = levelFor(node, ctx);
        const startedText =
          depth === 0
            ? `\`${topUses.node.value}\` (this call) starts`
            : `\`${topUses.node.value}\` calls \`${started.site.step.uses!.node.value}\` (${where(path, started.site.file.path, started.site.step.uses!.node.range.start.line)}), which starts`;
        const firstStale = stale[0]!;
        const n = stale.length;
        const message =
          `In job \`${node.job.id}\`, ${startedText} while ${oldId.text} is exported (${describeCall(path, earlierTs)}), ` +
          `then assumes ${newId.text} inside (${where(path, ts.file.path, ts.step.uses!.node.range.start.line)}). ` +
          `On runners older than v${RUNNER_FIX_VERSION} the ${n === 1 ? "step" : `${n} steps`} after that configure call inside the composite ` +
          `(${n === 1 ? "" : "first: "}${stepLabel(firstStale)}) still run${n === 1 ? "s" : ""} as ${oldId.text}; the new role takes effect only when the composite returns. ${why}`;

        const related: RelatedLocation[] = [
          { path: ts.file.path, range: ts.step.uses!.node.range, message: `configure call inside the composite: assumes ${newId.text}` },
          { path: earlierTs.file.path, range: earlierTs.step.uses!.node.range, message: `earlier configure call: ${oldId.text}, exported before the composite started` },
        ];
        if (depth > 0) {
          related.push({
            path: started.site.file.path,
            range: started.site.step.uses!.node.range,
            message: `nested composite call that started while ${oldId.text} was exported`,
          });
        }
        related.push({
          path: firstStale.file.path,
          range: firstStale.step.range,
          message: `first step that still sees ${oldId.text} on runners older than v${RUNNER_FIX_VERSION}`,
        });
        ctx.report({ level, message, location: { path, range: topUses.node.range }, related, via: { node, step: ts } });
      }
    }
  },
};
