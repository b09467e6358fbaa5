/**
 * credentials-in-cache: actions/cache, actions/cache/save and actions/upload-artifact steps whose
 * `path:` takes a file that holds credentials. Caches can be restored by pull requests (from forks
 * too) and artifacts downloaded by anyone who can read the repository.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { JobNode, TimelineStep } from "../graph/types.js";
import { isConfigureRef } from "../graph/configure.js";
import type { Range, SourceFile } from "../model/types.js";
import { positionAt } from "../parse/position.js";
import type { Level, RelatedLocation, Report, Rule, RuleContext, Visibility } from "./types.js";
import {
  HOME,
  RUNNER_TEMP,
  WORKSPACE,
  coverage,
  displayPath,
  intendedCoverage,
  matchInOrder,
  normalize,
  parsePathInput,
  resolveShellPath,
  splitPath,
  type CoverMode,
  type Coverage,
  type CredLocation,
  type PathPattern,
} from "./support/cred-paths.js";

const RULE_ID = "credentials-in-cache";

/** A place on the runner that holds credentials, and what put them there when known. */
interface Place extends CredLocation {
  what: string;
  /** The step that put credentials there, when one is seen before the save. */
  writer?: Writer;
}

interface Writer {
  index: number;
  ts: TimelineStep;
  /** "`aws eks update-kubeconfig`", "actions/checkout@v4". */
  how: string;
  /** The action's post step removes the credential again (ECR/Docker logout, checkout cleanup). */
  cleanedUpByPost: boolean;
  /** A more specific description of the credential than the place's default. */
  what?: string;
}

/** Home-directory locations that hold credentials whenever they exist. */
const HOME_PLACES: ReadonlyArray<{ rel: string; dir: boolean; what: string }> = [
  { rel: ".aws", dir: true, what: "AWS CLI credentials and config" },
  { rel: ".docker/config.json", dir: false, what: "Docker registry credentials" },
  { rel: ".kube/config", dir: false, what: "Kubernetes cluster credentials" },
  { rel: ".npmrc", dir: false, what: "npm registry tokens" },
  { rel: ".pypirc", dir: false, what: "PyPI upload credentials" },
  { rel: ".netrc", dir: false, what: "machine logins and passwords" },
  { rel: ".git-credentials", dir: false, what: "stored Git credentials" },
  { rel: ".config/gh", dir: true, what: "the GitHub CLI token" },
  { rel: ".ssh", dir: true, what: "SSH keys" },
  { rel: ".m2/settings.xml", dir: false, what: "Maven server passwords" },
];

const DOCKER_DEFAULT = `${HOME}/.docker/config.json`;
const KUBE_DEFAULT = `${HOME}/.kube/config`;
const AWS_CREDENTIALS_DEFAULT = `${HOME}/.aws/credentials`;

type SaveKind = "cache" | "cache-save" | "artifact";

function saveKind(ts: TimelineStep): SaveKind | undefined {
  const ref = ts.step.uses?.ref;
  if (ref?.kind !== "remote" || ref.owner.toLowerCase() !== "actions") return undefined;
  const repo = ref.repo.toLowerCase();
  const sub = (ref.subpath ?? "").toLowerCase().replace(/\/+$/, "");
  if (repo === "cache" && sub === "") return "cache";
  if (repo === "cache" && sub === "save") return "cache-save";
  if (repo === "upload-artifact" && sub === "") return "artifact";
  return undefined;
}

export const credentialsInCache: Rule = {
  id: RULE_ID,
  title: "Credentials saved into a cache or an artifact",
  description:
    "Reports actions/cache, actions/cache/save and actions/upload-artifact steps whose `path:` takes a file that holds credentials (~/.aws, Docker and Kubernetes config, a checkout's persisted token, files written from secrets).",
  defaultLevel: "error",
  tags: ["security"],
  securitySeverity: "8.0",
  precision: "high",
  fixable: false,
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      if (!node.timeline.some((ts) => saveKind(ts))) continue;
      const job = new JobScan(ctx, node);
      for (const ts of node.timeline) {
        const kind = saveKind(ts);
        if (!kind) continue;
        // One finding per `path:` line, the worst of the jobs that reach it.
        for (const r of job.check(ts, kind)) ctx.report({ ...r, key: "cache-path" });
      }
    }
  },
};

/** Everything about one job that the save steps in it are checked against. */
class JobScan {
  private readonly places: Place[] = [];
  private readonly events: Array<{ path: string; dir: boolean; writer: Writer; what: string }> = [];

  constructor(
    private readonly ctx: RuleContext,
    private readonly node: JobNode,
  ) {
    for (const p of HOME_PLACES) this.places.push({ path: `${HOME}/${p.rel}`, dir: p.dir, what: p.what });
    this.namedFiles();
    for (const ts of node.timeline) this.scanStep(ts);
  }

  // ---------- environment ----------

  /** A variable as a step sees it: its own and call sites' `env:`, then the job's, then the workflow's. */
  envValue(ts: TimelineStep | undefined, name: string): string | undefined {
    const fromStep = ts?.env.get(name);
    if (fromStep !== undefined) return fromStep;
    const fromJob = this.node.job.env.entries.find((e) => e.key === name);
    if (fromJob) return fromJob.value?.value;
    return this.node.workflow.env.entries.find((e) => e.key === name)?.value?.value;
  }

  private resolver(ts: TimelineStep | undefined, depth = 0): (expr: string) => string | undefined {
    return (expr) => {
      const m = /^env\.([A-Za-z_]\w*)$/.exec(expr.trim());
      if (!m || depth > 5) return undefined;
      const v = this.envValue(ts, m[1]!);
      if (v === undefined) return undefined;
      if (!v.includes("${{")) return v;
      return v.replace(/\$\{\{([\s\S]*?)\}\}/g, (w, inner: string) => this.resolver(ts, depth + 1)(inner) ?? w);
    };
  }

  private shellPath(ts: TimelineStep | undefined, word: string, local?: Map<string, string>): string | undefined {
    return resolveShellPath(
      word,
      (name) => {
        const v = local?.get(name) ?? this.envValue(ts, name);
        return v !== undefined && !v.includes("${{") && !v.includes("$") ? v : undefined;
      },
      this.resolver(ts),
    );
  }

  /** Files named by AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, KUBECONFIG, DOCKER_CONFIG anywhere in the job's env. */
  private namedFiles(): void {
    const sources: Array<{ ts?: TimelineStep; name: string; value: string; where: string }> = [];
    for (const e of this.node.workflow.env.entries) sources.push({ name: e.key, value: e.value?.value ?? "", where: "the workflow's `env:`" });
    for (const e of this.node.job.env.entries) sources.push({ name: e.key, value: e.value?.value ?? "", where: `job \`${this.node.job.id}\`'s \`env:\`` });
    for (const ts of this.node.timeline) {
      for (const [name, value] of ts.env) sources.push({ ts, name, value, where: `the \`env:\` of ${stepLabel(ts)}` });
    }
    for (const s of sources) this.addNamed(s.ts, s.name, s.value, s.where);
  }

  private addNamed(ts: TimelineStep | undefined, name: string, value: string, where: string, local?: Map<string, string>): void {
    const what = NAMED_FILE_WHAT[name];
    if (!what) return;
    const words = name === "KUBECONFIG" ? value.split(":") : [value];
    for (const w of words) {
      const p = this.shellPath(ts, w, local);
      if (!p) continue;
      const path = name === "DOCKER_CONFIG" ? `${p}/config.json` : p;
      if (!this.places.some((x) => x.path === path)) this.places.push({ path, dir: false, what: `${what} (named by ${name} in ${where})` });
    }
  }

  // ---------- writers ----------

  private addEvent(path: string, dir: boolean, writer: Writer, what: string): void {
    this.events.push({ path: normalize(path), dir, writer, what });
  }

  private scanStep(ts: TimelineStep): void {
    const ref = ts.step.uses?.ref;
    if (ref?.kind === "remote") {
      const action = `${ref.owner}/${ref.repo}`.toLowerCase();
      const sub = ref.subpath ?? "";
      const how = `${ref.owner}/${ref.repo}${sub ? `/${sub}` : ""}@${ref.ref}`;
      if (action === "actions/checkout" && !sub) this.checkout(ts, ref.ref, how);
      else if (action === "aws-actions/amazon-ecr-login") {
        const skip = (ts.with.get("skip-logout") ?? "").trim().toLowerCase() === "true";
        this.addEvent(this.dockerConfig(ts), false, { index: ts.index, ts, how, cleanedUpByPost: !skip }, "ECR registry login");
      } else if (action === "docker/login-action") {
        const keep = (ts.with.get("logout") ?? "").trim().toLowerCase() === "false";
        this.addEvent(this.dockerConfig(ts), false, { index: ts.index, ts, how, cleanedUpByPost: !keep }, "registry login");
      } else if (isConfigureRef(ref) && (ts.with.get("aws-profile") ?? "").trim()) {
        this.addEvent(this.awsCredentialsFile(ts), false, { index: ts.index, ts, how: `${how} with \`aws-profile\``, cleanedUpByPost: false }, "AWS session credentials");
      }
    }
    if (ts.run) this.scanRun(ts, ts.run);
  }

  private dockerConfig(ts: TimelineStep, local?: Map<string, string>): string {
    const dir = local?.get("DOCKER_CONFIG") ?? this.envValue(ts, "DOCKER_CONFIG");
    const p = dir ? this.shellPath(ts, dir, local) : undefined;
    return p ? `${p}/config.json` : DOCKER_DEFAULT;
  }

  private awsCredentialsFile(ts: TimelineStep, local?: Map<string, string>): string {
    const v = local?.get("AWS_SHARED_CREDENTIALS_FILE") ?? this.envValue(ts, "AWS_SHARED_CREDENTIALS_FILE");
    return (v ? this.shellPath(ts, v, local) : undefined) ?? AWS_CREDENTIALS_DEFAULT;
  }

  private checkout(ts: TimelineStep, ref: string, how: string): void {
    const persist = ts.with.get("persist-credentials");
    // checkout reads the input as `value.toUpperCase() === 'TRUE'`; the default is true.
    if (persist !== undefined) {
      if (persist.includes("${{")) return;
      if (persist.trim().toUpperCase() !== "TRUE") return;
    }
    const token = (ts.with.get("token") ?? "").trim();
    const sshKey = (ts.with.get("ssh-key") ?? "").trim();
    const what = sshKey ? "the SSH key" : token && !/github\.token|secrets\.GITHUB_TOKEN/.test(token) ? "the token from `token:`" : "the GITHUB_TOKEN";
    const info = this.ctx.pins.resolve("actions/checkout", ref);
    const major = majorOf(info.tag ?? info.newestRelease?.tag);
    const writer: Writer = { index: ts.index, ts, how, cleanedUpByPost: true };
    const rel = (ts.with.get("path") ?? "").trim();
    const repoDir = rel && !rel.includes("${{") ? normalize(`${WORKSPACE}/${rel}`) : rel ? undefined : WORKSPACE;
    if (sshKey) this.addEvent(`${RUNNER_TEMP}/00000000-0000-0000-0000-000000000000`, false, writer, what);
    // v6 moved persisted credentials out of .git/config into a file under $RUNNER_TEMP.
    const unknown = major === undefined ? ", if that version predates v6 (v6 keeps it under $RUNNER_TEMP)" : "";
    if ((major === undefined || major < 6) && repoDir) this.addEvent(`${repoDir}/.git/config`, false, writer, `${what}${unknown}`);
    if (major === undefined || major >= 6) {
      this.addEvent(`${RUNNER_TEMP}/git-credentials-00000000-0000-0000-0000-000000000000.config`, false, writer, what);
    }
  }

  private scanRun(ts: TimelineStep, script: string): void {
    const local = new Map<string, string>();
    const secretEnv = this.secretEnvNames(ts);
    const writer = (how: string, what?: string): Writer => ({ index: ts.index, ts, how, cleanedUpByPost: false, what });
    for (const line of logicalLines(script)) {
      const text = line.text;
      const masked = maskQuotes(text);
      for (const m of masked.matchAll(/(?:^|[\s;&|])export\s+([A-Za-z_]\w*)=(\S*)/g)) {
        const value = text.slice(m.index + m[0].length - m[2]!.length, m.index + m[0].length);
        local.set(m[1]!, value.replace(/^["']|["']$/g, ""));
      }
      // echo "AWS_SHARED_CREDENTIALS_FILE=…" >> $GITHUB_ENV names a file for the rest of the job.
      if (/GITHUB_ENV/.test(text)) {
        for (const m of text.matchAll(/\b(AWS_SHARED_CREDENTIALS_FILE|AWS_CONFIG_FILE|KUBECONFIG|DOCKER_CONFIG)=([^\s"'>]+)/g)) {
          this.addNamed(ts, m[1]!, m[2]!, `a \`GITHUB_ENV\` line of ${stepLabel(ts)}`, local);
        }
      }
      if (/\baws\s+configure\s+set\s+(?:--profile\s+\S+\s+)?(?:[\w.-]+\.)?(?:aws_secret_access_key|aws_access_key_id|aws_session_token)\b/.test(masked)) {
        this.addEvent(this.awsCredentialsFile(ts, local), false, writer("`aws configure set`", "AWS access keys"), "AWS access keys");
      } else if (/\baws\s+configure\s+import\b/.test(masked)) {
        this.addEvent(this.awsCredentialsFile(ts, local), false, writer("`aws configure import`", "AWS access keys"), "AWS access keys");
      }
      if (/\baws\s+sso\s+login\b/.test(masked)) this.addEvent(`${HOME}/.aws/sso/cache`, true, writer("`aws sso login`", "AWS SSO tokens"), "AWS SSO tokens");
      const docker = /\bdocker\s+(?:--config[\s=]+\S+\s+)?login\b/.test(masked);
      const ecrV1 = /\baws\s+ecr\s+get-login\b(?!-)/.test(masked);
      if (docker || ecrV1) {
        const dir = /\bdocker\s+--config[\s=]+(\S+)\s+login\b/.exec(text)?.[1];
        const cfg = dir ? this.shellPath(ts, dir, local) : undefined;
        const how = /get-login-password/.test(masked) ? "`aws ecr get-login-password | docker login`" : ecrV1 ? "`aws ecr get-login`" : "`docker login`";
        this.addEvent(cfg ? `${cfg}/config.json` : this.dockerConfig(ts, local), false, writer(how, "registry login"), "registry login");
      }
      if (/\baws\s+eks\s+update-kubeconfig\b/.test(masked)) {
        const m = /--kubeconfig[\s=]+(\S+)/.exec(text);
        const explicit = m ? this.shellPath(ts, m[1]!, local) : undefined;
        const env = local.get("KUBECONFIG") ?? this.envValue(ts, "KUBECONFIG");
        const fromEnv = env ? this.shellPath(ts, env.split(":")[0]!, local) : undefined;
        this.addEvent(explicit ?? fromEnv ?? KUBE_DEFAULT, false, writer("`aws eks update-kubeconfig`", "EKS cluster access"), "EKS cluster access");
      }
      const ca = /\baws\s+codeartifact\s+login\b/.test(masked) ? /--tool[\s=]+(\w+)/.exec(masked)?.[1]?.toLowerCase() : undefined;
      if (ca) {
        const target = CODEARTIFACT_FILES[ca];
        if (target) this.addEvent(`${HOME}/${target}`, false, writer(`\`aws codeartifact login --tool ${ca}\``, "a CodeArtifact token"), "a CodeArtifact token");
      }
      if (/\bgh\s+auth\s+login\b/.test(masked)) this.addEvent(`${HOME}/.config/gh/hosts.yml`, false, writer("`gh auth login`", "a GitHub token"), "a GitHub token");
      // A secret written out (echo/printf/cat or a here-document), or a command whose output is a credential;
      // not a command that merely uses a secret (`curl -H "Authorization: …" > response.json`).
      const fromBody = line.body ? secretIn(line.body, secretEnv) : undefined;
      const fromLine = secretIn(text, secretEnv);
      const secret = fromBody ?? (fromLine && (fromLine.output || writesValue(text)) ? fromLine : undefined);
      if (secret) {
        for (const target of redirectTargets(text)) {
          const p = this.shellPath(ts, target, local);
          if (p) this.addEvent(p, false, writer("a shell redirect", secret.what), secret.what);
        }
      }
    }
  }

  /** Variables whose value comes from a secret or from credentials, for `$NAME` in scripts. */
  private secretEnvNames(ts: TimelineStep): Set<string> {
    const names = new Set<string>(["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);
    const consider = (k: string, v: string | undefined) => {
      if (v && (/\bsecrets\s*(?:\.|\[)/.test(v) || /outputs\.aws-secret-access-key\b/.test(v))) names.add(k);
    };
    for (const e of this.node.workflow.env.entries) consider(e.key, e.value?.value);
    for (const e of this.node.job.env.entries) consider(e.key, e.value?.value);
    for (const [k, v] of ts.env) consider(k, v);
    return names;
  }

  // ---------- checking one save step ----------

  /** The places present when `save` takes its snapshot, each with the step that put credentials there. */
  private placesAt(saveIndex: number, kind: SaveKind): Place[] {
    const saveAtEnd = kind === "cache";
    const counts = (w: Writer) =>
      saveAtEnd
        ? // actions/cache saves in its post step; post steps run in reverse order, so an action
          // registered after the cache step has already cleaned up by then.
          !(w.cleanedUpByPost && w.index > saveIndex)
        : w.index < saveIndex;
    const places: Place[] = this.places.map((p) => ({ ...p }));
    for (const ev of this.events) {
      if (!counts(ev.writer)) continue;
      const home = places.find((p) => p.path === ev.path || (p.dir && ev.path.startsWith(`${p.path}/`)));
      if (home) {
        home.writer ??= { ...ev.writer, what: ev.what };
        continue;
      }
      places.push({ path: ev.path, dir: ev.dir, what: ev.what, writer: { ...ev.writer, what: ev.what } });
    }
    return places;
  }

  check(ts: TimelineStep, kind: SaveKind): Report[] {
    const value = ts.with.get("path");
    if (!value?.trim()) return [];
    const { patterns } = parsePathInput(value, this.resolver(ts));
    if (!patterns.length) return [];
    const ref = ts.step.uses!.ref;
    const mode: CoverMode = {
      kind: kind === "artifact" ? "artifact" : "cache",
      excludeHidden: kind === "artifact" && ref.kind === "remote" ? hiddenExcluded(this.ctx, ref.ref, ts.with.get("include-hidden-files")) : false,
    };
    const places = this.placesAt(ts.index, kind);
    const byLine = new Map<string, { pattern: PathPattern; hits: Array<{ place: Place; cov: Coverage }>; intent: boolean }>();
    for (const place of places) {
      let cov = coverage(patterns, place, mode);
      let intent = false;
      if (!cov) {
        cov = intendedCoverage(patterns, place, mode);
        intent = !!cov;
      }
      if (!cov) continue;
      const key = cov.pattern.text;
      const entry = byLine.get(key) ?? { pattern: cov.pattern, hits: [], intent };
      entry.hits.push({ place, cov });
      byLine.set(key, entry);
    }
    const out: Report[] = [];
    for (const { pattern, hits, intent } of byLine.values()) {
      out.push(this.finding(ts, kind, mode, patterns, pattern, hits, intent));
    }
    return out;
  }

  private finding(
    ts: TimelineStep,
    kind: SaveKind,
    mode: CoverMode,
    patterns: PathPattern[],
    pattern: PathPattern,
    hits: Array<{ place: Place; cov: Coverage }>,
    intent: boolean,
  ): Report {
    const visibility = this.ctx.settings.visibility;
    const level: Level = intent ? "note" : visibility === "private" || visibility === "internal" ? "warning" : "error";
    const uses = ts.step.uses!.node.value;
    const action = kind === "artifact" ? "actions/upload-artifact" : kind === "cache-save" ? "actions/cache/save" : "actions/cache";
    const verb = kind === "artifact" ? "uploads" : "saves";
    const into = kind === "artifact" ? "into an artifact" : "into a cache";
    const root = literalRoot(pattern);
    const whole = hits.length > 1 && hits.every((h) => h.place.path.startsWith(`${root}/`));
    const described = hits.slice(0, 4).map((h) => describePlace(h.place, ts));
    if (hits.length > 4) described.push(`${hits.length - 4} more credential location${hits.length - 4 === 1 ? "" : "s"}`);
    const list = joinList(described);
    const subject = whole ? `${root === HOME ? "the whole home directory " : ""}\`${displayPath(root)}\`, which holds ${list},` : list;
    const exclusion = kind !== "artifact" ? uselessExclusion(patterns, hits) : undefined;
    const hint = exclusion
      ? ` (\`${exclusion}\` does not remove it: actions/cache saves a matched directory whole and a \`!\` line only drops paths it matches exactly)`
      : "";
    let message: string;
    if (intent) {
      message =
        `\`${pattern.text}\`: ${action} does not expand \`${pattern.unexpandedVariable}\`, so today this line matches nothing; ` +
        `written as the path it means, it would put ${subject} ${into}; ${audience(kind, visibility)}. ` +
        `Name the directories you want cached instead of a credential location.`;
    } else {
      message = `${action} ${verb} ${subject} ${into}${hint}; ${audience(kind, visibility)}. ${advice(kind, hits)}`;
    }
    const related: RelatedLocation[] = [];
    const seenWriters = new Set<number>();
    for (const h of hits) {
      const w = h.place.writer;
      if (!w || seenWriters.has(w.index)) continue;
      seenWriters.add(w.index);
      related.push({ path: w.ts.file.path, range: stepRange(w.ts), message: `${w.how} writes ${w.what ?? h.place.what} to \`${displayPath(h.place.path)}\`` });
    }
    const location = locatePattern(this.ctx, this.node, ts, pattern.text);
    if (location.path !== ts.file.path) related.push({ path: ts.file.path, range: ts.step.uses!.node.range, message: `the \`${uses}\` step that reads this value` });
    if (ts.chain.length) {
      const site = ts.chain[0]!;
      related.push({ path: site.file.path, range: site.step.uses?.node.range ?? site.step.range, message: `the job \`${this.node.job.id}\` reaches the \`${uses}\` step through this call` });
    }
    return { level, message, location, related };
  }
}

const NAMED_FILE_WHAT: Readonly<Record<string, string>> = {
  AWS_SHARED_CREDENTIALS_FILE: "the AWS credentials file",
  AWS_CONFIG_FILE: "the AWS config file",
  KUBECONFIG: "the Kubernetes config",
  DOCKER_CONFIG: "the Docker config",
};

/** Where `aws codeartifact login --tool X` writes its token (Linux paths). */
const CODEARTIFACT_FILES: Readonly<Record<string, string>> = {
  npm: ".npmrc",
  pip: ".config/pip/pip.conf",
  twine: ".pypirc",
  dotnet: ".nuget/NuGet/NuGet.Config",
  nuget: ".nuget/NuGet/NuGet.Config",
};

function describePlace(place: Place, at: TimelineStep): string {
  const p = `\`${displayPath(place.path)}\``;
  const w = place.writer;
  if (!w) return `${p} (${place.what})`;
  const later = w.index > at.index ? "; that step runs later, but actions/cache saves at the end of the job" : "";
  return `${p} (${w.what ?? place.what}, put there by ${w.how} in ${stepLabel(w.ts, at.file)}${later})`;
}

function audience(kind: SaveKind, visibility: Visibility): string {
  if (kind === "artifact") {
    if (visibility === "private" || visibility === "internal") return "anyone with read access to the repository can download it while the artifact is kept";
    const who = "anyone signed in to GitHub can download it while the artifact is kept (90 days by default)";
    return visibility === "public" ? `the repository is public, so ${who}` : `if this repository is public, ${who}`;
  }
  if (visibility === "private" || visibility === "internal") return "any workflow run in the repository can restore the cache and read them";
  const who = "anyone who can open a pull request (from a fork too) can restore the cache in a workflow run of their own and read them";
  return visibility === "public" ? `the repository is public, so ${who}` : `if this repository is public, ${who}`;
}

function advice(kind: SaveKind, hits: Array<{ place: Place }>): string {
  if (hits.some((h) => h.place.path.endsWith("/.git/config"))) {
    return "Set `persist-credentials: false` on the checkout, or narrow `path:` to the directories you need.";
  }
  return kind === "artifact" ? "Narrow `path:` to the files the artifact needs." : "Narrow `path:` to the dependency or build directories you mean to cache.";
}

/** A `!` line aimed at a covered location that actions/cache ignores because a directory above it is saved whole. */
function uselessExclusion(patterns: PathPattern[], hits: Array<{ place: Place; cov: Coverage }>): string | undefined {
  for (const neg of patterns.filter((p) => p.negate)) {
    for (const h of hits) {
      const segs = splitPath(h.place.path);
      for (let n = 1; n <= segs.length; n++) {
        if (matchInOrder([{ ...neg, negate: false }], segs.slice(0, n), true) && splitPath(h.cov.item).length < n) return neg.text;
      }
    }
  }
  return undefined;
}

/** The pattern's part before its first wildcard: where the globber starts walking. */
function literalRoot(p: PathPattern): string {
  const i = p.segments.findIndex((s) => /[*?[]/.test(s));
  return "/" + (i < 0 ? p.segments : p.segments.slice(0, i)).join("/");
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** upload-artifact skips dot-files from v3.2.0 (where the input was ignored) and v4.4.0, unless `include-hidden-files: true`. */
function hiddenExcluded(ctx: RuleContext, ref: string, includeHidden: string | undefined): boolean {
  const info = ctx.pins.resolve("actions/upload-artifact", ref);
  const v = semverOf(info.tag ?? info.newestRelease?.tag);
  if (v && v[0] === 3 && v[1] === 2 && v[2] === 0) return true;
  const input = (includeHidden ?? "").trim();
  // An expression may say true: do not count on the default.
  if (input.includes("${{")) return false;
  if (/^true$/i.test(input)) return false;
  // Unknown refs: assume the current default (every release since September 2024 skips dot-files).
  if (!v) return true;
  if (v[0] >= 5) return true;
  if (v[0] === 4) return v[1] >= 4;
  if (v[0] === 3) return v[1] >= 2;
  return false;
}

function semverOf(tag: string | undefined): [number, number, number] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(tag ?? "");
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function majorOf(tag: string | undefined): number | undefined {
  return semverOf(tag)?.[0];
}

// ---------- shell scanning ----------

interface ShellLine {
  text: string;
  /** Here-document body fed to this line, if any. */
  body?: string;
}

/** Lines of a script with `\` continuations joined and here-document bodies attached. */
export function logicalLines(script: string): ShellLine[] {
  const raw = script.split(/\r?\n/);
  const out: ShellLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    let text = raw[i]!;
    while (text.endsWith("\\") && i + 1 < raw.length) text = text.slice(0, -1) + " " + raw[++i]!;
    // `<<EOF` / `<<-'EOF'` outside quotes starts a here-document; `<<<` is a here-string.
    const at = maskQuotes(text).search(/<<(?!<)/);
    const hd = at >= 0 ? /^<<-?\s*(["']?)([A-Za-z_][\w-]*)\1/.exec(text.slice(at)) : null;
    let body: string | undefined;
    if (hd) {
      const end = hd[2]!;
      const lines: string[] = [];
      while (i + 1 < raw.length && raw[i + 1]!.trim() !== end) lines.push(raw[++i]!);
      i++;
      body = lines.join("\n");
    }
    out.push({ text, body });
  }
  return out;
}

/** The line with quoted text replaced by `_` (quotes kept), so operators inside strings are not seen. */
export function maskQuotes(line: string): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === "\\" && quote === '"' && i + 1 < line.length) {
        out += "__";
        i++;
        continue;
      }
      if (c === quote) {
        quote = undefined;
        out += c;
      } else out += "_";
      continue;
    }
    if (c === "\\" && i + 1 < line.length) {
      out += "__";
      i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    out += c;
  }
  return out;
}

const NOT_FILES = /^(?:\/dev\/|&)|\bGITHUB_(?:ENV|OUTPUT|STEP_SUMMARY|PATH|STATE)\b/;

/** Files a line writes its standard output to: `> f`, `>> f`, `&> f`, `1> f`, `tee [-a] f…`. */
export function redirectTargets(line: string): string[] {
  const masked = maskQuotes(line);
  const out: string[] = [];
  const word = (from: number): string => {
    let i = from;
    while (i < masked.length && /\s/.test(masked[i]!)) i++;
    let j = i;
    while (j < masked.length && !/[\s;|&<>()]/.test(masked[j]!)) j++;
    return line.slice(i, j);
  };
  for (const m of masked.matchAll(/(^|[^<>&\d=-]|&|1)(>>?)(?![&(>])/g)) {
    const pre = m[1]!;
    if (/\d/.test(pre) && pre !== "1") continue;
    const w = word(m.index + m[0].length);
    if (w && !NOT_FILES.test(w)) out.push(w);
  }
  for (const m of masked.matchAll(/(?:^|[|;&]\s*|\s)tee\b((?:\s+-{1,2}[A-Za-z-]+)*)/g)) {
    let i = m.index + m[0].length;
    for (;;) {
      const w = word(i);
      if (!w || /^[-|;&]/.test(w)) break;
      if (!NOT_FILES.test(w)) out.push(w);
      i = line.indexOf(w, i) + w.length;
    }
  }
  return out;
}

/**
 * What credential a line (or a here-document) mentions: a value (a secret, a credential variable,
 * a configure call's secret output), or a command whose standard output is a credential.
 */
export function secretIn(text: string, secretEnv: ReadonlySet<string>): { what: string; output: boolean } | undefined {
  // Commands whose output is the credential come first: their arguments may mention other secrets.
  const output = (what: string) => ({ what, output: true });
  if (/\baws\s+ecr\s+get-login-password\b/.test(text)) return output("the ECR password from `aws ecr get-login-password`");
  if (/\baws\s+codeartifact\s+get-authorization-token\b/.test(text)) return output("a CodeArtifact token");
  if (/\baws\s+sts\s+(?:assume-role|assume-role-with-web-identity|get-session-token|get-federation-token)\b/.test(text)) return output("temporary AWS credentials from `aws sts`");
  if (/\baws\s+configure\s+export-credentials\b/.test(text)) return output("AWS credentials from `aws configure export-credentials`");
  const m = /\$\{\{[^}]*?\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/.exec(text);
  if (m) return { what: `the secret \`${m[1] ?? m[2]}\``, output: false };
  if (/\boutputs\.aws-secret-access-key\b/.test(text)) return { what: "the `aws-secret-access-key` output of a configure-aws-credentials step", output: false };
  for (const name of secretEnv) {
    if (new RegExp(`\\$\\{?${name}\\b|\\benv\\.${name}\\b`).test(text)) {
      return { what: name === "AWS_SECRET_ACCESS_KEY" || name === "AWS_SESSION_TOKEN" ? `\`$${name}\`` : `\`$${name}\` (set from a secret)`, output: false };
    }
  }
  return undefined;
}

/** Does the line print a value into its redirect (`echo`, `printf`, `cat`, `tee` at the head of a pipeline)? */
export function writesValue(line: string): boolean {
  return /(?:^|[;&|(]\s*|\bthen\s+|\bdo\s+)(?:sudo\s+)?(?:echo|printf|cat|tee)\b/.test(maskQuotes(line).trimStart());
}

// ---------- locations ----------

function stepRange(ts: TimelineStep): Range {
  return ts.step.uses?.node.range ?? ts.step.run?.range ?? ts.step.range;
}

function stepLabel(ts: TimelineStep, from?: SourceFile): string {
  const line = ts.step.range.start.line;
  const name = ts.step.name?.value ?? ts.step.id?.value;
  const base = name ? `step "${name}"` : `the step at line ${line}`;
  return from && from.path !== ts.file.path ? `${base} of ${ts.file.path}` : base;
}

/**
 * The line of `path:` that holds the pattern: in the step itself, else where its text came from
 * (a call site's `with:`, an input default, a reusable workflow caller's `with:`); else the `path` key.
 */
function locatePattern(ctx: RuleContext, node: JobNode, ts: TimelineStep, text: string): { path: string; range: Range } {
  const entry = ts.step.with.entries.find((e) => e.key === "path");
  const tries: Array<{ file: SourceFile; range?: Range }> = [{ file: ts.file, range: entry?.valueRange }];
  for (const site of [...ts.chain].reverse()) {
    for (const e of site.step.with.entries) tries.push({ file: site.file, range: e.valueRange });
  }
  // A value substituted from an input default: search the inputs of the composites on the way.
  for (const site of [ts, ...ts.chain]) {
    const action = [...ctx.graph.actions.values()].find((a) => a.file.path === site.file.path);
    if (!action) continue;
    const starts = [...action.inputs.values()].map((i) => i.range.start.offset).sort((a, b) => a - b);
    for (const input of action.inputs.values()) {
      const next = starts.find((o) => o > input.range.start.offset) ?? action.file.text.length;
      tries.push({ file: action.file, range: { start: input.range.start, end: { ...input.range.end, offset: next } } });
    }
  }
  for (let c = node.caller; c; c = c.caller) {
    for (const e of c.job.with.entries) tries.push({ file: c.workflow.file, range: e.valueRange });
  }
  for (const t of tries) {
    if (!t.range) continue;
    const hit = findToken(t.file, t.range, text);
    if (hit) return { path: t.file.path, range: hit };
  }
  return { path: ts.file.path, range: entry?.keyRange ?? ts.step.range };
}

function findToken(file: SourceFile, within: Range, token: string): Range | undefined {
  const text = file.text;
  const lc = file.lineCounter;
  if (!lc || !token) return undefined;
  let from = within.start.offset;
  const end = within.end.offset;
  for (;;) {
    const at = text.indexOf(token, from);
    if (at < 0 || at + token.length > end) return undefined;
    const before = at > 0 ? text[at - 1]! : "\n";
    const after = text[at + token.length] ?? "\n";
    if (!/[\w./~*!$-]/.test(before) && !/[\w./*-]/.test(after)) {
      const bom = text.startsWith("\uFEFF");
      return { start: positionAt(lc, bom, at), end: positionAt(lc, bom, at + token.length) };
    }
    from = at + 1;
  }
}
