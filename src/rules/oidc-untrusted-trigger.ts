/**
 * oidc-untrusted-trigger: an OIDC role assumption in a job that an untrusted run can reach.
 *
 * The graph says which untrusted runs a workflow's triggers allow and whether the job's guards keep
 * them off (`graph/guards.ts`), and what of an outsider's reaches the job in such a run
 * (`graph/untrusted-input.ts`). This rule turns that into a level:
 * - on events any GitHub user can start (`pull_request_target`, `issue_comment`, `issues`,
 *   `discussion*`, `workflow_run` after one of those, reviews of a pull request from a branch of this
 *   repository): error when the pull request's code runs in the job, event text is written into a
 *   script, or an AI agent that can run commands reads outsider text; warning when code of a ref the
 *   files do not fix runs, the pull request's code sits in the workspace without a step seen to run
 *   it, or an agent with restricted tools (or one outside the job) reads outsider text; note when only
 *   base code runs on outsider data. An environment (reviewers possible) or a maintainer's act
 *   (label, merge, comment) lowers the level one step; a gate computed by a script (a permission or
 *   fork check credflow does not verify) makes it a note;
 * - on `pull_request` and review events from forks (no id-token there): a note that the call fails,
 *   unless a guard keeps forks out or `continue-on-error` tolerates the failure.
 */
import { allJobNodes } from "../graph/build-graph.js";
import { type Guards, type Scenario, guardsOf } from "../graph/guards.js";
import { truthOf, type Taint } from "../graph/abstract-eval.js";
import { runnerKind } from "../graph/runner.js";
import type { ConfigureCall, JobNode, TimelineStep } from "../graph/types.js";
import { type UntrustedInput, type UntrustedKind, untrustedInputs } from "../graph/untrusted-input.js";
import type { Range } from "../model/types.js";
import { parseVersion } from "../knowledge/version.js";
import { stepLabel } from "./support/labels.js";
import { joinList } from "./support/wording.js";
import { LEVEL_RANK, type Level, type RelatedLocation, type Report, type Rule, type RuleContext } from "./types.js";

const RULE_ID = "oidc-untrusted-trigger";

export const oidcUntrustedTrigger: Rule = {
  id: RULE_ID,
  title: "OIDC role assumed on a trigger that outsiders control",
  description:
    "Reports OIDC configure-aws-credentials calls in jobs any GitHub user can start (pull_request_target, issue_comment, issues, discussions, workflow_run after those), at error when the pull request's code or an outsider's text certainly runs next to the role, and notes OIDC calls that fail for pull requests from forks.",
  defaultLevel: "error",
  tags: ["security"],
  securitySeverity: "8.5",
  precision: "high",
  fixable: false,
  check(ctx) {
    const repo = ctx.settings.repository;
    const guards = guardsOf(ctx.graph, { repository: repo ? `${repo.owner}/${repo.name}` : undefined });
    const options = { refusesForkCheckout: (ref: string) => refusesForkCheckout(ctx, ref) };
    for (const node of allJobNodes(ctx.graph)) {
      const calls = node.configureCalls.filter((c) => c.oidc);
      if (!calls.length) continue;
      const root = rootOf(node);
      const scenarios = guards.scenarios(root.workflow);
      if (!scenarios.length) continue;
      const inputs = new Map<Scenario, UntrustedInput[]>();
      const inputsOf = (s: Scenario) => {
        let list = inputs.get(s);
        if (!list) inputs.set(s, (list = untrustedInputs(guards, node, s, options)));
        return list;
      };
      for (const call of calls) {
        let worst: Judgement | undefined;
        for (const s of scenarios) {
          const j = judge(guards, node, call, s, inputsOf);
          if (j && (!worst || LEVEL_RANK[j.level] > LEVEL_RANK[worst.level])) worst = j;
        }
        // One finding per place, the worst of the jobs and runs that reach it.
        if (worst) ctx.report({ ...render(node, root, call, worst), key: "untrusted-trigger" });
      }
    }
  },
};

/** What one untrusted run does with a configure call. */
interface Judgement {
  level: Level;
  scenario: Scenario;
  /** The worst outsider input reaching the job (none: only base code on data). */
  input?: UntrustedInput;
  /** Human gates that lowered the level. */
  environment?: { name: string; job: JobNode; self: boolean };
  maintainer?: boolean;
  /** Run-time checks that keep the job off when they work. */
  gate?: readonly Taint[];
  /** The agent's own actor check that keeps outsiders off (for an input that was set aside). */
  agentGate?: UntrustedInput;
  /** For forks' pull requests: the runner falls back to a role of its own. */
  codebuild?: boolean;
}

const ERROR_KINDS: ReadonlySet<UntrustedKind> = new Set(["runs-pr-code", "runs-untrusted-artifact", "script-injection", "agent-with-shell"]);
const WARNING_KINDS: ReadonlySet<UntrustedKind> = new Set(["runs-unresolved-ref", "pr-code-present", "agent", "remote-agent"]);

function judge(guards: Guards, node: JobNode, call: ConfigureCall, s: Scenario, inputsOf: (s: Scenario) => UntrustedInput[]): Judgement | undefined {
  const ts = call.step;
  const job = guards.jobReach(node, s);
  if (!job.may && !job.gate) return undefined;
  const step = guards.stepReach(node, ts, s);
  if (!step.may && !step.gate) return undefined;
  const gate = [...(job.may ? [] : (job.gate ?? [])), ...(step.may ? [] : (step.gate ?? []))];

  if (s.origin === "fork") {
    // A run-time fork check keeps forks out: the advice does not apply.
    if (gate.length) return undefined;
    if (toleratesFailure(guards, node, ts, s)) return undefined;
    return { level: "note", scenario: s, codebuild: runnerKind(node).kind === "codebuild" };
  }

  let inputs = inputsOf(s);
  let agentGate: UntrustedInput | undefined;
  if (s.origin === "outsider") {
    // An agent that checks the actor itself aborts for outsiders.
    agentGate = inputs.find((i) => i.actorGate);
    inputs = inputs.filter((i) => !i.actorGate);
  }
  const input = inputs[0];
  let level: Level | undefined = !input ? "note" : ERROR_KINDS.has(input.kind) ? "error" : WARNING_KINDS.has(input.kind) ? "warning" : "note";
  // A review of a pull request from this repository's own branch: only what outsiders write counts, and
  // it needs such a pull request to be open.
  if (s.sameRepository) {
    if (!input) return undefined;
    level = level === "error" ? "warning" : level;
  }
  const environment = environmentGate(guards, node, s);
  let maintainer = false;
  if (s.origin === "maintainer") {
    // A maintainer's act (label, merge, comment) is the intended gate: report only what it cannot make safe.
    if (level !== "error") return undefined;
    level = "warning";
    maintainer = true;
  } else if (environment) level = lower(level);
  if (gate.length) level = "note";
  return { level, scenario: s, input, environment, maintainer, gate: gate.length ? gate : undefined, agentGate };
}

function lower(level: Level): Level {
  return level === "error" ? "warning" : "note";
}

/** `continue-on-error` that tolerates the configure step's failure: on the step, a composite call around it, or the job. */
function toleratesFailure(guards: Guards, node: JobNode, ts: TimelineStep, s: Scenario): boolean {
  for (const st of [ts, ...ts.chain.map((c) => node.timeline[c.timelineIndex]!)]) {
    const v = st.step.continueOnError?.value;
    if (v !== undefined && truthOf(guards.stepValue(node, st, v, s)) === true) return true;
  }
  const j = node.job.continueOnError?.value;
  return j !== undefined && truthOf(guards.jobValue(node, j, s)) === true;
}

/** The environment the job, or a job it waits for, deploys to (as the run would name it; none when empty there). */
function environmentGate(guards: Guards, node: JobNode, s: Scenario): Judgement["environment"] {
  const env = guards.environment(node, s);
  return env && { name: env.name, job: env.job, self: env.job === node };
}

// ---- wording ----

function render(node: JobNode, root: JobNode, call: ConfigureCall, j: Judgement): Report {
  const ts = call.step;
  const role = call.role ? `\`${call.role}\`` : "the role";
  const where = node.caller ? ` (in reusable workflow ${node.workflow.file.path}, called from ${root.workflow.file.path})` : "";
  const job = `job \`${node.job.id}\`${where}`;
  const related: RelatedLocation[] = [];
  const location = locate(node, root, ts, related);
  if (root.workflow.triggersRange) related.push({ path: root.workflow.file.path, range: root.workflow.triggersRange, message: `the workflow's triggers: ${root.workflow.triggers.join(", ")}` });
  const s = j.scenario;
  const event = `\`${s.event}\``;
  let headline: string;
  let why: string;
  let hint: string;
  let label: string;

  if (s.origin === "fork") {
    headline = `OIDC role assumed on ${event}: the step fails for pull requests from forks`;
    why = j.codebuild
      ? `Runs for pull requests from forks get no \`id-token: write\`, so configure-aws-credentials falls back to the CodeBuild runner's own role and fails unless that role may assume the role.`
      : `Runs for pull requests from forks get a read-only token without \`id-token: write\`, so configure-aws-credentials fails there with "Credentials could not be loaded".`;
    hint = "Skip the job for forks with `if: github.event.pull_request.head.repo.full_name == github.repository`, or let the step fail with `continue-on-error: true`.";
    label = "fails for forks' pull requests";
  } else {
    const input = j.input;
    const starter = startedBy(s);
    if (input) {
      related.push({ path: input.source.file.path, range: stepRange(input.source), message: sourceLabel(input) });
      if (input.sink) related.push({ path: input.sink.file.path, range: stepRange(input.sink), message: sinkLabel(input) });
    }
    const src = input ? stepLabel(input.source, { from: node.workflow.file }) : "";
    const sink = input?.sink ? stepLabel(input.sink, { from: node.workflow.file }) : "";
    switch (input?.kind) {
      case "runs-pr-code":
        headline = `OIDC role next to the pull request's code, run on ${event}`;
        why = `${starter}, and step ${src} checks out ${input.what} that step ${sink} then runs in the job holding the role: that code can read the credentials (or request its own OIDC token) and send them anywhere.`;
        hint = "Build and test pull request code in a `pull_request` workflow without AWS access, and assume the role only in a job that never runs it.";
        label = "role next to the pull request's code";
        break;
      case "runs-untrusted-artifact":
        headline = `OIDC role next to executed artifacts built from the pull request, on ${event}`;
        why = `${starter}, and step ${src} downloads ${input.what}, which step ${sink} runs in the job holding the role: code from the pull request can read the credentials and send them anywhere.`;
        hint = "Treat artifacts of pull request runs as data: never execute them in a job that holds AWS credentials.";
        label = "role next to code built from the pull request";
        break;
      case "script-injection":
        headline = `OIDC role in a job that writes ${input.what} into a script, on ${event}`;
        why = `${starter}, and ${input.what} is written into the script of step ${src}: text that person chooses runs as code in the job holding the role.`;
        hint = "Pass the text through `env:` and quote it (`\"$TEXT\"`), or assume the role in a job that reads no event text.";
        label = "role in a job with script injection";
        break;
      case "agent-with-shell":
        headline = `OIDC role next to an AI agent with shell access reading outsider text, on ${event}`;
        why = `${starter}, and the agent in step ${src} reads ${input.what} and may run shell commands in the job holding the role: instructions hidden in that text can make it print or send the credentials.`;
        hint = "Run the agent without the role or without shell tools, or only for actors with write access.";
        label = "role next to an agent reading outsider text";
        break;
      case "runs-unresolved-ref":
        headline = `OIDC role next to code of a ref computed at run time, on ${event}`;
        why = `${starter}, and step ${src} checks out ${input.what} that step ${sink} runs in the job holding the role; the files do not show whether that ref can name a pull request's commit — if it can, that code runs next to the credentials.`;
        hint = "Check out only refs the run cannot be steered to (a protected branch, a commit verified to be reviewed), or assume the role in a job that runs no checked-out code.";
        label = "role next to code of a computed ref";
        break;
      case "pr-code-present":
        headline = `OIDC role next to the pull request's checked-out code, on ${event}`;
        why = `${starter}, and step ${src} puts ${input.what} in the workspace of the job holding the role; credflow sees no step that builds or runs it, but any later step that runs scripts or reads configuration from the workspace would run that code next to the credentials.`;
        hint = "Check the pull request's code out only in jobs without AWS credentials, or into a folder no step runs anything from.";
        label = "role next to the pull request's code";
        break;
      case "agent":
        headline = `OIDC role next to an AI agent reading outsider text, on ${event}`;
        why = `${starter}, and the agent in step ${src} reads ${input.what} in the job holding the role; it has no unrestricted shell, but whether instructions in that text can make it read and post the credentials depends on the files and tools it is allowed.`;
        hint = "Deny the agent reads of /proc, the runner's temp directory and ~/.aws, keep the role minimal, or run the agent only for actors with write access.";
        label = "role next to an agent reading outsider text";
        break;
      case "remote-agent":
        headline = `OIDC role used to hand outsider text to an AI agent service, on ${event}`;
        why = `${starter}, and step ${src} sends ${input.what} to an agent service using the role's credentials; what instructions hidden in that text can make the agent do depends on its tools and role, which are configured outside these files.`;
        hint = "Let only trusted actors start it (check `author_association`), and keep the agent service's tools and role minimal.";
        label = "outsider text sent to an agent";
        break;
      default:
        headline = `OIDC role assumed on ${event}, which any GitHub user can start`;
        why = `${starter}; the run's OIDC token carries the base branch's \`sub\`, so the role's trust policy cannot tell it from a trusted run. Only base-branch code runs here${input ? `, and ${input.what} (step ${src}) reach it only as data` : ""}.`;
        hint = "Keep such jobs free of pull request code and event text, or assume the role from a `push` or `workflow_dispatch` workflow or behind an environment with required reviewers.";
        label = "outsiders can start this role assumption";
    }
  }

  const gates = gateSentences(j);
  const message = `${headline} (${job}, role ${role}). ${why}${gates ? ` ${gates}` : ""} ${hint}`;
  // Reporters show one sentence next to the headline: the mechanism, without who starts the run
  // (the headline names the event) and without the gates that lower the level; the message keeps both.
  return { level: j.level, message, headline, why: mechanism(why, s.origin === "fork" ? "" : startedBy(s)), hint, label, location, related };
}

/** `why` without its opening "who can start it" clause, when it has one. */
function mechanism(why: string, starter: string): string {
  if (!starter || !why.startsWith(starter)) return why;
  const rest = why.slice(starter.length).replace(/^(?:, and |; )/, "");
  return rest ? rest.charAt(0).toUpperCase() + rest.slice(1) : why;
}

function startedBy(s: Scenario): string {
  switch (s.event) {
    case "pull_request_target":
      return s.origin === "maintainer" ? "A maintainer's act (a label, a merge) starts it for an outsider's pull request" : "Any GitHub user can start it by opening or updating a pull request from a fork";
    case "issue_comment":
      return s.origin === "maintainer" ? "A maintainer's comment starts it on an outsider's issue or pull request" : "Any GitHub user can start it by commenting on an issue or pull request";
    case "issues":
      return s.origin === "maintainer" ? "A maintainer's act starts it on an outsider's issue" : "Any GitHub user can start it by opening or editing an issue";
    case "discussion":
    case "discussion_comment":
      return "Any GitHub user can start it by writing in a discussion";
    case "pull_request_review":
    case "pull_request_review_comment":
      return "Any GitHub user can start it by reviewing a pull request from a branch of this repository (Dependabot's or a maintainer's), with a token that holds id-token";
    case "workflow_run": {
      if (s.upstreamUnknown?.length) {
        const names = s.upstreamUnknown.map((n) => (n.startsWith("(") ? n : `\`${n}\``));
        return `It runs with the repository's privileges after ${joinList(names)}, which ${names.length === 1 ? "is" : "are"} not a workflow of this repository, so credflow assumes any GitHub user can start ${names.length === 1 ? "it" : "them"} (a \`${s.upstreamEvent}\` run, say)`;
      }
      const fork = s.upstreamEvent === "pull_request" || s.upstreamEvent?.startsWith("pull_request_review");
      return `It runs with the repository's privileges after \`${s.upstreamEvent}\` runs${fork ? " of pull requests from forks" : ""}, which any GitHub user can start`;
    }
    default:
      return `Any GitHub user can start it (\`${s.event}\`)`;
  }
}

function gateSentences(j: Judgement): string {
  const out: string[] = [];
  if (j.gate?.length) {
    const by = [...new Set(j.gate.map((t) => `${t.by}'s ${t.kind === "fork" ? "fork" : "permission"} check`))];
    out.push(`Outsiders reach it only if ${joinList(by)} lets them through; credflow does not evaluate that check, so this is a note.`);
  }
  if (j.environment) {
    const who = j.environment.self ? "The job deploys" : `The job waits for job \`${j.environment.job.job.id}\`, which deploys`;
    out.push(`${who} to environment \`${j.environment.name}\`: if that environment requires reviewers (a setting the files do not show), each run waits for an approval, which must come only after reading the pull request's current code.`);
  }
  if (j.maintainer) out.push("That act is the only gate, and the outsider's content can change after it (a new commit, an edited issue), so a warning rather than an error.");
  if (j.agentGate && !j.input) out.push(`The agent in step ${stepLabel(j.agentGate.source)} stops for outsiders (${j.agentGate.actorGate}).`);
  if (j.scenario.sameRepository && j.input) out.push("It needs an open pull request from a branch of this repository, which the files cannot show.");
  return out.join(" ");
}

function sourceLabel(input: UntrustedInput): string {
  switch (input.kind) {
    case "runs-pr-code":
    case "pr-code-present":
      return "checks out the pull request's code";
    case "runs-unresolved-ref":
      return "checks out a ref computed at run time";
    case "runs-untrusted-artifact":
    case "untrusted-artifact":
      return "downloads artifacts built from the pull request";
    case "script-injection":
      return `writes ${input.what} into its script`;
    case "agent-with-shell":
    case "agent":
      return `AI agent reading ${input.what}`;
    case "remote-agent":
      return `sends ${input.what} to an agent service`;
  }
}

function sinkLabel(input: UntrustedInput): string {
  return input.kind === "runs-untrusted-artifact" ? "runs the downloaded artifacts" : "builds or runs that code";
}

function stepRange(ts: TimelineStep): Range {
  return ts.step.uses?.node.range ?? ts.step.run?.range ?? ts.step.range;
}

/** The configure step's `uses`; for composites, the workflow's call site; for reusable workflows, the root caller's `uses:`. */
function locate(node: JobNode, root: JobNode, ts: TimelineStep, related: RelatedLocation[]): { path: string; range: Range } {
  const inner = { path: ts.file.path, range: ts.step.uses!.node.range, message: "the configure-aws-credentials call" };
  if (node.caller && root.job.uses) {
    related.push(inner);
    return { path: root.workflow.file.path, range: root.job.uses.node.range };
  }
  if (ts.chain.length) {
    related.push(inner);
    const site = ts.chain[0]!;
    return { path: site.file.path, range: site.step.uses?.node.range ?? site.step.range };
  }
  return { path: inner.path, range: inner.range };
}

/**
 * actions/checkout v4.4.0, v5.1.0, v6.1.0 and v7 refuse a fork's pull request commits on
 * `pull_request_target` and `workflow_run` unless `allow-unsafe-pr-checkout: true`.
 */
function refusesForkCheckout(ctx: RuleContext, ref: string): boolean {
  const info = ctx.pins.resolve("actions/checkout", ref);
  const v = parseVersion(info.tag ?? info.newestRelease?.tag);
  if (!v) return false;
  const [major, minor] = v;
  return major >= 7 || ((major === 5 || major === 6) && minor >= 1) || (major === 4 && minor >= 4);
}

function rootOf(node: JobNode): JobNode {
  let n = node;
  while (n.caller) n = n.caller;
  return n;
}
