/**
 * Credential files on a GitHub Actions runner during one job, and the steps that write them. Used by
 * rules that judge what a cache, an artifact or a later step can take with it.
 */
import type { JobNode, TimelineStep } from "../../graph/types.js";
import { isConfigureRef } from "../../graph/configure.js";
import { envAt, envValue, jobEnv } from "../../graph/values.js";
import type { PinResolver } from "../../knowledge/pins.js";
import { HOME, RUNNER_TEMP, WORKSPACE, normalize, resolveShellPath, type CredLocation } from "./cred-paths.js";
import { logicalLines, maskQuotes, redirectTargets, secretIn, writesValue } from "./shell.js";
import { stepLabel } from "./labels.js";
import { majorOf } from "../../knowledge/version.js";

/** A place on the runner that holds credentials, and what put them there when known. */
export interface Place extends CredLocation {
  what: string;
  /** The step that put credentials there, when one is seen before the save. */
  writer?: Writer;
}

export interface Writer {
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

/**
 * Where credentials are on the runner during one job: the home-directory files that hold them whenever
 * they exist, files named by AWS_SHARED_CREDENTIALS_FILE/KUBECONFIG/DOCKER_CONFIG, and the steps that
 * write credentials (checkout's persisted token, registry logins, `aws configure set`, secrets echoed
 * into files…), each with the step that wrote it.
 */
export class CredentialFiles {
  private readonly places: Place[] = [];
  private readonly events: Array<{ path: string; dir: boolean; writer: Writer; what: string }> = [];

  constructor(
    private readonly node: JobNode,
    private readonly pins: PinResolver,
  ) {
    for (const p of HOME_PLACES) this.places.push({ path: `${HOME}/${p.rel}`, dir: p.dir, what: p.what });
    this.namedFiles();
    for (const ts of node.timeline) this.scanStep(ts);
  }

  // ---------- environment ----------

  /** A variable as a step sees it (the graph's effective env), or as the job sets it when no step is given. */
  envValue(ts: TimelineStep | undefined, name: string): string | undefined {
    return (ts ? envValue(this.node, ts, name) : jobEnv(this.node).get(name))?.text;
  }

  /** Resolves `env.X` inside `${{ }}` for a step (for path inputs and shell words). */
  resolver(ts: TimelineStep | undefined, depth = 0): (expr: string) => string | undefined {
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
    const info = this.pins.resolve("actions/checkout", ref);
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
    for (const v of envAt(this.node, ts).values()) consider(v.name, v.text);
    return names;
  }

  /** The places present when `save` takes its snapshot, each with the step that put credentials there. */
  placesAt(saveIndex: number, saveAtEnd: boolean): Place[] {
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

}
