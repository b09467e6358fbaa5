/**
 * What of an outsider's reaches a job in an untrusted run ({@link Scenario}): the pull request's code
 * (a checkout of its head, `gh pr checkout`, artifacts a job that handled that code uploaded, the
 * triggering run's artifacts on `workflow_run`) and whether a step builds or runs it; the event's
 * text (titles, bodies, comments, branch names) written into a `run:` script or a `github-script`
 * script (script injection), or handed to an AI agent in the job, or to an agent service outside it.
 *
 * Only steps that can run in the scenario count (`Guards.stepReach`). Each finding names its steps,
 * so messages can point at them.
 */
import type { JobNode, TimelineStep } from "./types.js";
import type { Guards, Scenario } from "./guards.js";

export type UntrustedKind =
  /** The pull request's code is checked out and a step builds or runs it. */
  | "runs-pr-code"
  /** The pull request's code is checked out; no step that runs it was recognised. */
  | "pr-code-present"
  /** Code of a ref computed at run time (a job output, an input, an artifact) is checked out and run. */
  | "runs-unresolved-ref"
  /** Artifacts built from the pull request's code are downloaded and a step runs them. */
  | "runs-untrusted-artifact"
  /** Artifacts built from the pull request's code are downloaded (as data). */
  | "untrusted-artifact"
  /** Event text is written into a script (`run:`, github-script). */
  | "script-injection"
  /** An AI agent in the job reads outsider-written text or code and can run shell commands. */
  | "agent-with-shell"
  /** An AI agent in the job reads outsider-written text or code, with restricted tools. */
  | "agent"
  /** Outsider-written text is sent to an agent service outside the job. */
  | "remote-agent";

export interface UntrustedInput {
  kind: UntrustedKind;
  /** Where the code or text enters (the checkout, the download, the step whose env carries the text). */
  source: TimelineStep;
  /** The step that runs it, when another one does. */
  sink?: TimelineStep;
  /** What enters, for messages: "`github.event.issue.body`", "the pull request's head (`ref: …`)". */
  what: string;
  /** The agent's built-in check that the actor may write to the repository (claude-code-action without `allowed_non_write_users`). */
  actorGate?: string;
}

export interface UntrustedOptions {
  /** Does this actions/checkout ref refuse a fork's commits on pull_request_target and workflow_run? */
  refusesForkCheckout(ref: string): boolean;
}

/** Expressions whose value an outsider writes (GitHub Security Lab's list of untrusted inputs, plus `toJSON(github.event)`). */
export const OUTSIDER_TEXT =
  /github\.event\.(?:issue|pull_request|discussion)\.(?:title|body)\b|github\.event\.(?:comment|review|review_comment)\.body\b|github\.event\.pages(?:\.\*|\[\d+\])?\.page_name\b|github\.event\.(?:commits(?:\.\*|\[\d+\])?|head_commit)\.(?:message|author\.(?:email|name))\b|github\.event\.pull_request\.head\.(?:ref|label|repo\.default_branch)\b|github\.head_ref\b|github\.event\.workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.(?:email|name))|pull_requests(?:\.\*|\[\d+\])?\.head\.ref)\b|toJSON\(\s*github\.event\s*\)/i;

/** `ref:` values of actions/checkout that name the pull request's commits (a fork's too). */
const HEAD_COMMIT =
  /github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.pull_request\.merge_commit_sha|refs\/pull\/|github\.event\.workflow_run\.(?:head_sha|head_commit\.id|head_branch)/;
/** `repository:` values that name the fork itself; with those, branch names (`head.ref`) are the fork's too. */
const HEAD_REPOSITORY = /github\.event\.pull_request\.head\.repo\.(?:full_name|clone_url)|github\.event\.workflow_run\.head_repository\.full_name/;
/** Shell commands that fetch or switch to the pull request's code. */
const HEAD_RUN =
  /\bgh\s+pr\s+checkout\b|\bhub\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\b(?:refs\/)?pull\/|\bgit\s+(?:checkout|switch|reset\s+--hard)\b[^\n]*(?:head\.sha|head\.ref|head_ref|head_sha|head_branch|FETCH_HEAD|pull\/)/;
/** Values computed at run time (another job's or step's output, an environment variable). */
const RUNTIME_VALUE = /\$\{\{[^}]*\b(?:needs|steps|env)\./;

/**
 * Where a command starts: a line's start or after `;`, `&&`, `||`, `|`, `(`, a backtick, `then`,
 * `do`, with `sudo`, `env VAR=…` or `VAR=…` in front.
 */
const AT_COMMAND = String.raw`(?:^|[;&|(\`]|\bthen\b|\bdo\b)\s*(?:(?:sudo|time|env)\s+|[A-Za-z_]\w*=\S*\s+)*`;
const command = (body: string) => new RegExp(AT_COMMAND + body, "m");

/** Commands that build, install or test the code in the working directory (and so run it). */
const BUILD_COMMANDS = [
  command(String.raw`npm\s+(?:ci|i|install|add|run|run-script|test|t|exec|build|start|x|pack|publish|rebuild)\b`),
  // yarn, pnpm and bun run a package.json script by its name, and install when called alone.
  command(String.raw`(?:yarn|pnpm|bun)(?:\s+(?!-)\w|\s*$|\s*[;&|)])`),
  command(String.raw`(?:npx|pnpx|bunx)\s`),
  command(String.raw`(?:pip3?|uv\s+pip|python3?\s+-m\s+pip)\s+install\b`),
  command(String.raw`(?:python3?\s+(?:-m\s+)?(?:setup\.py|pytest|tox|nox|build)|pytest|tox|nox)\b`),
  command(String.raw`(?:hatch|pdm|poetry|pipenv|uv)\s+(?:run|install|sync|test|build|shell)\b`),
  command(String.raw`(?:make|gmake|cmake|ninja|bazel|bazelisk|buck2?|meson)(?:\s|$)`),
  command(String.raw`cargo\s+(?:build|test|run|install|check|clippy|bench|nextest|make)\b`),
  command(String.raw`go\s+(?:build|test|run|generate|install|vet)\b`),
  command(String.raw`(?:\.\/)?(?:mvn|mvnw|gradle|gradlew|ant|sbt|lein)(?:\s|$)`),
  command(String.raw`(?:bundle\s+(?:install|exec)|rake|rspec|rails)\b`),
  command(String.raw`composer\s+(?:install|update|run|exec)\b`),
  command(String.raw`(?:dotnet\s+(?:build|test|run|restore|publish|pack)|msbuild|nuget\s+restore)\b`),
  command(String.raw`(?:swift\s+(?:build|test|run)|xcodebuild|pod\s+install|fastlane)\b`),
  command(String.raw`(?:terraform|terragrunt|tofu)\s+(?:-chdir=\S+\s+)?(?:init|plan|apply|validate|console|import|refresh|destroy)\b`),
  command(String.raw`(?:(?:cdk|cdktf)\s+(?:synth|deploy|diff|bootstrap)|sam\s+(?:build|deploy|local|sync)|(?:serverless|sls)\s+(?:deploy|package|invoke)|pulumi\s+(?:up|preview|refresh|destroy))\b`),
  command(String.raw`pre-commit\s+run\b`),
  // A script of the working directory.
  command(String.raw`(?:\.\/[\w.\/-]+|(?:bash|sh|zsh|source|\.)\s+(?!-)[\w.\/-]+\.(?:sh|bash))`),
  command(String.raw`(?:node|deno\s+run|ruby|perl|php|python3?)\s+(?!-)[\w.\/-]+\.(?:js|mjs|cjs|ts|rb|pl|php|py)\b`),
];

/** Actions that run the code of the working directory (test runners, hooks, programs). */
const BUILD_ACTIONS = /^(?:pre-commit\/action|cypress-io\/github-action|pulumi\/actions|borales\/actions-yarn|bahmutov\/npm-install|gradle\/gradle-build-action)$/i;
/** Actions that run a command given as an input. */
const COMMAND_ACTIONS = /^(?:nick-fields\/retry|nick-invision\/retry|wandalen\/wretry\.action|gabrielbb\/xvfb-action|coactions\/setup-xvfb)$/i;

/** Actions that only move data or set up tools; they run nothing of the working directory. */
const DATA_ACTIONS =
  /^(?:actions\/(?:checkout|upload-artifact|download-artifact|cache|cache\/(?:save|restore)|github-script|setup-[\w-]+)|aws-actions\/configure-aws-credentials|peter-evans\/(?:create-or-update-comment|find-comment)|marocchino\/sticky-pull-request-comment|thollander\/actions-comment-pull-request)$/i;

/** AI agents that act on the triggering issue, pull request or comment. */
const AGENT_ACTIONS = /^(?:anthropics\/claude-code-action|anthropics\/claude-code-base-action|openai\/codex-action|google-github-actions\/run-gemini-cli|qodo-ai\/pr-agent|codium-ai\/pr-agent|sst\/opencode\/github|anomalyco\/opencode\/github)$/i;
/** Agent command lines (they read files and run tools); plain model calls (`llm`, `gh models run`) are not agents. */
const AGENT_RUN = /(?:^|[\s;&|(`])(?:claude|codex|gemini|aider|goose|opencode|cursor-agent|amp|crush|q\s+chat|kiro-cli)\s/;
/** Flags that let a command-line agent run shell commands without asking. */
const AGENT_SHELL_FLAGS = /--dangerously-skip-permissions|--permission-mode[\s=]+bypassPermissions|--yolo\b|--full-auto\b|--dangerously-bypass-approvals-and-sandbox|--approval-mode[\s=]+yolo|--sandbox[\s=]+danger-full-access/;
/** Agent services outside the job (their tools and role are configured elsewhere). */
const REMOTE_AGENT = /InvokeAgentRuntime|invoke-agent-runtime|bedrock-agentcore|\bInvokeAgent(?:Command)?\b|bedrock-agent-runtime\s+invoke-agent/;
/** Commands that fetch an issue's or pull request's text or diff. */
const FETCHES_TEXT = /\bgh\s+(?:issue|pr)\s+(?:view|diff)\b|\bgh\s+api\b[^\n]*\/(?:issues|pulls)\//;

function actionName(ts: TimelineStep): string | undefined {
  const ref = ts.step.uses?.ref;
  if (ref?.kind !== "remote") return undefined;
  return `${ref.owner}/${ref.repo}${ref.subpath ? `/${ref.subpath}` : ""}`;
}

function isCheckout(ts: TimelineStep): boolean {
  const ref = ts.step.uses?.ref;
  return ref?.kind === "remote" && ref.owner.toLowerCase() === "actions" && ref.repo.toLowerCase() === "checkout" && !ref.subpath;
}

/** Folder a checkout or download writes to, relative to the workspace ("" for the workspace itself). */
function targetPath(ts: TimelineStep): string {
  const p = (ts.with.get("path") ?? "").trim().replace(/^\.\/+/, "").replace(/\/+$/, "");
  return p === "." ? "" : p;
}

/** Does a step run code from `dir` of the workspace? */
function runsCodeIn(ts: TimelineStep, dir: string): boolean {
  const name = actionName(ts);
  const wd = (ts.step.workingDirectory?.value ?? "").trim().replace(/^\.\/+/, "");
  const inDir = dir === "" || wd === dir || wd.startsWith(`${dir}/`);
  if (ts.step.uses?.ref.kind === "local" && ts.chain.length === 0) return dir === "";
  if (name && BUILD_ACTIONS.test(name)) return inDir;
  const command = name && COMMAND_ACTIONS.test(name) ? (ts.with.get("command") ?? ts.with.get("run") ?? "") : ts.run;
  if (!command) return false;
  if (!BUILD_COMMANDS.some((re) => re.test(command))) return false;
  return inDir || command.includes(dir);
}

/** Does a step run a file of a downloaded artifact in `dir` (a script there, or a package built there installed)? */
function runsFileIn(ts: TimelineStep, dir: string): boolean {
  const run = ts.run;
  if (!run || dir === "") return false;
  const d = `(?:\\./)?${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/`;
  const exec = new RegExp(
    `(?:^|[;&|(\`])\\s*${d}[\\w./-]+|(?:^|[\\s;&|(\`])(?:bash|sh|zsh|source|\\.|node|python3?|ruby|perl)\\s+${d}|(?:npm|pnpm|yarn)\\s+(?:i|install|add)\\s+${d}[\\w./-]*\\.tgz|pip3?\\s+install\\s+${d}[\\w./-]*\\.(?:whl|tar\\.gz)`,
    "m",
  );
  return exec.test(run);
}

/** Does a checkout bring the pull request's code in this scenario? "head", "unresolved" (a ref computed at run time) or nothing. */
function checkoutSource(ts: TimelineStep, s: Scenario, opts: UntrustedOptions): "head" | "unresolved" | undefined {
  const ref = ts.with.get("ref") ?? "";
  const repo = ts.with.get("repository") ?? "";
  if (HEAD_COMMIT.test(ref) || HEAD_REPOSITORY.test(repo)) {
    // A review of a pull request from a branch of this repository: that code is trusted.
    if (s.sameRepository) return undefined;
    const event = s.event;
    if (event === "pull_request_target" || event === "workflow_run") {
      if ((ts.with.get("allow-unsafe-pr-checkout") ?? "").trim().toLowerCase() !== "true") {
        const r = ts.step.uses?.ref;
        if (r?.kind === "remote" && opts.refusesForkCheckout(r.ref)) return undefined;
      }
    }
    return "head";
  }
  if (RUNTIME_VALUE.test(ref) || RUNTIME_VALUE.test(repo)) return s.sameRepository ? undefined : "unresolved";
  return undefined;
}

/** Artifacts that may hold the pull request's code or its build output. */
function untrustedDownload(ts: TimelineStep, s: Scenario, prCodeJobs: boolean): boolean {
  const name = actionName(ts)?.toLowerCase();
  const text = [ts.run ?? "", ...ts.with.values()].join("\n");
  if (s.event === "workflow_run") {
    if (name === "actions/download-artifact" && /workflow_run\.id/.test(ts.with.get("run-id") ?? "")) return true;
    if (name === "dawidd6/action-download-artifact") return true;
    if (/listWorkflowRunArtifacts|downloadArtifact/.test(text) && /workflow_run/.test(text)) return true;
    if (/\bgh\s+run\s+download\b/.test(text)) return true;
  }
  // The same run's artifacts, uploaded by a job that checked out the pull request's code.
  return prCodeJobs && name === "actions/download-artifact" && !ts.with.get("run-id");
}

/**
 * Agent steps: which ones read outsider-written content, whether they can run shell commands, and
 * the agent's own check of the actor.
 */
function agentOf(ts: TimelineStep): { shell: boolean; actorGate?: string; readsEvent: boolean } | undefined {
  const name = actionName(ts);
  if (name && AGENT_ACTIONS.test(name)) {
    const lower = name.toLowerCase();
    const args = [ts.with.get("claude_args") ?? "", ts.with.get("allowed_tools") ?? "", ts.with.get("codex-args") ?? "", ts.with.get("settings") ?? ""].join("\n");
    let shell = AGENT_SHELL_FLAGS.test(args) || /(?:allowedTools|allowed_tools)[^\n]*\bBash(?:\s*[,"'\s]|\(\s*\*|$)/.test(args) || /\bBash\b(?!\()/.test(ts.with.get("allowed_tools") ?? "");
    // codex-action runs commands in a sandbox without network by default; only full access or no privilege reduction lets them out.
    if (lower === "openai/codex-action") shell ||= (ts.with.get("sandbox") ?? "").trim() === "danger-full-access" || (ts.with.get("safety-strategy") ?? "").trim() === "unsafe";
    let actorGate: string | undefined;
    if (lower.startsWith("anthropics/claude-code-action") && !(ts.with.get("allowed_non_write_users") ?? "").trim()) {
      actorGate = "claude-code-action's own check that the actor can write to the repository";
    }
    if (lower === "openai/codex-action" && (ts.with.get("require-repo-write") ?? "true").trim().toLowerCase() !== "false") {
      actorGate = "codex-action's own check that the actor can write to the repository (`require-repo-write`)";
    }
    return { shell, actorGate, readsEvent: true };
  }
  if (ts.run && AGENT_RUN.test(ts.run)) return { shell: AGENT_SHELL_FLAGS.test(ts.run), readsEvent: false };
  return undefined;
}

/** Where outsider text appears in a step: written into its script, or passed as data (env, inputs). */
function textIn(ts: TimelineStep): { script?: string; data?: string } {
  const script = [ts.run ?? "", actionName(ts)?.toLowerCase() === "actions/github-script" ? (ts.with.get("script") ?? "") : ""].join("\n");
  const inScript = firstOutsiderExpression(script);
  const data = [...ts.env.values(), ...(actionName(ts)?.toLowerCase() === "actions/github-script" ? [] : [...ts.with.values()])].map(firstOutsiderExpression).find((x) => x);
  return { script: inScript, data };
}

function firstOutsiderExpression(text: string): string | undefined {
  for (const m of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const hit = OUTSIDER_TEXT.exec(m[1]!);
    if (hit) return hit[0];
  }
  return undefined;
}

/** What of an outsider's reaches the job in the scenario, worst first. */
export function untrustedInputs(guards: Guards, node: JobNode, s: Scenario, opts: UntrustedOptions): UntrustedInput[] {
  if (s.origin === "fork") return [];
  const steps = node.timeline.filter((ts) => guards.stepReach(node, ts, s).may);
  const out: UntrustedInput[] = [];
  const prCodeJobs = s.sameRepository ? false : otherJobsHandlePrCode(guards, node, s, opts);
  // Code: checkouts and downloads, then the steps after them that run it.
  for (const src of steps) {
    let kind: "head" | "unresolved" | "artifact" | undefined;
    if (isCheckout(src)) kind = checkoutSource(src, s, opts);
    else if (!s.sameRepository && src.run && HEAD_RUN.test(src.run)) kind = "head";
    else if (!s.sameRepository && untrustedDownload(src, s, prCodeJobs)) kind = "artifact";
    if (!kind) continue;
    const dir = isCheckout(src) || actionName(src)?.toLowerCase() === "actions/download-artifact" ? targetPath(src) : "";
    const later = steps.filter((t) => t.index > src.index);
    const what =
      kind === "artifact"
        ? "artifacts built from the pull request's code"
        : kind === "unresolved"
          ? `a ref computed at run time (\`ref: ${(src.with.get("ref") ?? "").trim()}\`)`
          : src.run
            ? "the pull request's code"
            : `the pull request's code (\`ref: ${(src.with.get("ref") ?? src.with.get("repository") ?? "").trim()}\`)`;
    const sink = later.find((t) => (kind === "artifact" ? runsFileIn(t, dir) : runsCodeIn(t, dir)));
    if (kind === "head") {
      if (sink) out.push({ kind: "runs-pr-code", source: src, sink, what });
      // Code nobody is seen to run matters only when some later step could run it.
      else if (later.some((t) => t.run !== undefined || !DATA_ACTIONS.test(actionName(t) ?? ""))) out.push({ kind: "pr-code-present", source: src, what });
    }
    else if (kind === "unresolved") {
      if (sink) out.push({ kind: "runs-unresolved-ref", source: src, sink, what });
    } else out.push(sink ? { kind: "runs-untrusted-artifact", source: src, sink, what } : { kind: "untrusted-artifact", source: src, what });
  }
  // Text: written into scripts, handed to agents.
  const hasPrCode = out.some((u) => u.kind === "runs-pr-code" || u.kind === "pr-code-present");
  const textSteps = steps.map((ts) => ({ ts, ...textIn(ts) }));
  const fetches = steps.some((ts) => ts.run !== undefined && FETCHES_TEXT.test(ts.run));
  for (const t of textSteps) {
    if (t.script) out.push({ kind: "script-injection", source: t.ts, what: `\`${t.script}\`` });
  }
  for (const ts of steps) {
    const agent = agentOf(ts);
    if (agent) {
      const own = textIn(ts);
      const text = own.data ?? own.script;
      if (!(agent.readsEvent || text || hasPrCode || fetches)) continue;
      const what = text
        ? `\`${text}\``
        : agent.readsEvent
          ? "the triggering issue, pull request or comment"
          : hasPrCode
            ? "the pull request's code"
            : "issue or pull request text fetched with `gh`";
      out.push({ kind: agent.shell ? "agent-with-shell" : "agent", source: ts, what, actorGate: agent.actorGate });
      continue;
    }
    if (ts.run && REMOTE_AGENT.test(ts.run)) {
      const own = textIn(ts);
      if (own.data || own.script) out.push({ kind: "remote-agent", source: ts, what: `\`${own.data ?? own.script}\`` });
    }
  }
  return out.sort((a, b) => RANK[a.kind] - RANK[b.kind]);
}

const RANK: Record<UntrustedKind, number> = {
  "runs-pr-code": 0,
  "runs-untrusted-artifact": 1,
  "script-injection": 2,
  "agent-with-shell": 3,
  "runs-unresolved-ref": 4,
  "pr-code-present": 5,
  agent: 6,
  "remote-agent": 7,
  "untrusted-artifact": 8,
};

/** Do jobs this one waits for check out the pull request's code and upload artifacts? */
function otherJobsHandlePrCode(guards: Guards, node: JobNode, s: Scenario, opts: UntrustedOptions): boolean {
  return guards.upstream("uploads-pr-code", node, s, (other) => {
    if (!guards.jobReach(other, s).may) return false;
    const steps = other.timeline.filter((ts) => guards.stepReach(other, ts, s).may);
    const checksOut = steps.some((ts) => (isCheckout(ts) && checkoutSource(ts, s, opts) === "head") || (ts.run !== undefined && HEAD_RUN.test(ts.run)));
    return checksOut && steps.some((ts) => /^actions\/upload-artifact$/i.test(actionName(ts) ?? ""));
  });
}
