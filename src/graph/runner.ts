/**
 * Who runs a job: GitHub's hosted runners, self-hosted (persistent) runners, other hosted runners that
 * carry an AWS role of their own (AWS CodeBuild-hosted `codebuild-…` labels), or unknown (an expression
 * GitHub evaluates at run time).
 */
import type { JobNode } from "./types.js";

export type RunnerKind = "self-hosted" | "github-hosted" | "codebuild" | "unknown";

// GitHub-hosted images and larger runners: ubuntu-latest, ubuntu-24.04-arm, windows-2022,
// macos-14-xlarge, ubuntu-latest-4-cores, ... A self-hosted runner answers to `self-hosted`
// plus its own labels; anything else is a label GitHub does not host.
const GITHUB_HOSTED = /^(ubuntu|windows|macos)-[a-z0-9][a-z0-9._-]*$/i;
/** AWS CodeBuild-hosted runners: `codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`. */
const CODEBUILD = /^codebuild-/i;
const MATRIX_LABEL = /^\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}$/;

/** How `runs-on` labels are served: `self-hosted`, or labels GitHub does not host, mean self-hosted. */
export function classifyLabels(labels: string[]): RunnerKind {
  if (labels.some((l) => l.trim().toLowerCase() === "self-hosted")) return "self-hosted";
  if (labels.length === 0) return "unknown";
  if (labels.some((l) => CODEBUILD.test(l.trim()))) return "codebuild";
  return labels.every((l) => GITHUB_HOSTED.test(l.trim())) ? "github-hosted" : "self-hosted";
}

/** The runner kind of a job, with the `runs-on` text for messages. */
export function runnerKind(node: JobNode): { kind: RunnerKind; text: string } {
  const runsOn = node.job.runsOn;
  if (!runsOn) return { kind: "unknown", text: "no `runs-on`" };
  const shown = `\`runs-on: ${runsOn.group ? `group ${runsOn.group}` : ""}${runsOn.group && runsOn.labels.length ? ", " : ""}${runsOn.labels.join(", ")}\``;
  // A runner group is an organisation's own pool; GitHub cannot tell us its runner version.
  if (runsOn.group) return { kind: "self-hosted", text: shown };
  // `codebuild-…-${{ github.run_id }}` labels hold an expression but always name a CodeBuild runner.
  if (runsOn.labels.some((l) => CODEBUILD.test(l.trim()))) return { kind: "codebuild", text: shown };
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
  if (kinds.has("codebuild")) return { kind: "codebuild", text: withValues };
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
