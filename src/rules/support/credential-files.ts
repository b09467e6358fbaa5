/**
 * Credential files on a GitHub Actions runner during one job, and the steps that write them. Used by
 * rules that judge what a cache, an artifact or a later step can take with it.
 */
import type { JobNode, TimelineStep } from "../../graph/types.js";
import { isConfigureRef } from "../../graph/configure.js";
import { envAt, envValue, jobEnv } from "../../graph/values.js";
import type { PinResolver } from "../../knowledge/pins.js";
import { runnerKind } from "../../graph/runner.js";
import { HOME, RUNNER_TEMP, WORKSPACE, normalize, resolveShellPath, type CredLocation } from "./cred-paths.js";
import { logicalLines, maskQuotes, redirectTargets, secretIn, writesValue } from "./shell.js";
import { stepLabel } from "./labels.js";
import { parseVersion, type Version } from "../../knowledge/version.js";
import { looksLikeVersion } from "../../knowledge/pins.js";

/**
 * How long what a file holds stays usable once the file is copied away:
 * - `lasting`: outlives the job (secrets, PATs, AWS keys and session credentials, ECR and CodeArtifact tokens);
 * - `job`: dies when the job ends (the GITHUB_TOKEN; an app token its action revokes in its post step);
 * - `unknown`: a token whose kind the files do not show (an input, a `secrets.X || github.token` fallback);
 * - `none`: the file holds no secret (a kubeconfig from `aws eks update-kubeconfig` runs `aws eks get-token`).
 */
export type Lifetime = "lasting" | "job" | "unknown" | "none";

const LIFETIME_RANK: Readonly<Record<Lifetime, number>> = { none: 0, job: 1, unknown: 2, lasting: 3 };

/** A credential a step puts into a file: what it is and how long it lives. */
export interface Credential {
  what: string;
  lifetime: Lifetime;
  /** Why the lifetime is what it is, for messages ("actions/create-github-app-token revokes it in its post step"). */
  because?: string;
}

/** A place on the runner that holds credentials, and what put them there when known. */
export interface Place extends CredLocation {
  what: string;
  /** The step that put credentials there, when one is seen before the save. */
  writer?: Writer;
  /**
   * Set when no step of the job is seen writing the place, but the runner may keep files from
   * earlier jobs or its owner's set-up (self-hosted, or a `runs-on` decided at run time).
   */
  leftover?: RunnerDoubt;
}

/** Why the home directory may not start empty: the runner `runs-on` names. */
export interface RunnerDoubt {
  kind: "self-hosted" | "unknown";
  /** The `runs-on` text for messages. */
  runsOn: string;
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
  lifetime: Lifetime;
  /** Why the lifetime is what it is (see `Credential.because`). */
  because?: string;
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
 * Where credentials are on the runner during one job, and the steps that write them: checkout's
 * persisted token, registry logins, `aws configure set`, secrets echoed into files, … each with the
 * step that wrote it and how long what it wrote stays usable. On GitHub-hosted runners, AWS
 * CodeBuild runners and in job containers the home directory starts empty, so a home-directory file
 * counts only when a step writes it; on self-hosted runners (and runners chosen at run time) the
 * home-directory locations and the files named by AWS_SHARED_CREDENTIALS_FILE, KUBECONFIG, … may
 * already hold credentials (`Place.leftover`).
 */
export class CredentialFiles {
  private readonly places: Place[] = [];
  private readonly events: Array<{ path: string; dir: boolean; writer: Writer; what: string }> = [];
  /** Set when the home directory may hold files from before the job. */
  readonly doubt: RunnerDoubt | undefined;

  constructor(
    private readonly node: JobNode,
    private readonly pins: PinResolver,
  ) {
    this.doubt = runnerDoubt(node);
    for (const p of HOME_PLACES) this.places.push({ path: `${HOME}/${p.rel}`, dir: p.dir, what: p.what });
    this.namedFiles();
    for (const ts of node.timeline) if (!ts.skipped) this.scanStep(ts);
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

  // ---------- what a token or a secret is ----------

  /**
   * What a `token:`/`password:` input holds and how long it lives: the GITHUB_TOKEN (empty, `github.token`,
   * `secrets.GITHUB_TOKEN`), a secret, an app token (revoked at the end of the job by
   * actions/create-github-app-token and tibdex/github-app-token v2+ unless told not to), or unknown.
   */
  credentialOf(ts: TimelineStep, text: string | undefined, subject: (what: string) => string): Credential {
    const value = (text ?? "").trim();
    if (!value) return { what: "the GITHUB_TOKEN", lifetime: "job" };
    const parts = this.referencesIn(ts, value, 0);
    if (parts.length === 0) return { what: subject("a value written in the workflow"), lifetime: "lasting" };
    const whats = [...new Set(parts.map((p) => p.what))];
    const lifetimes = new Set(parts.map((p) => p.lifetime));
    if (lifetimes.size === 1) {
      const only = parts[0]!;
      if (whats.length === 1 && only.what === "the GITHUB_TOKEN") return { what: only.what, lifetime: "job" };
      return { what: subject(whats.join(" or ")), lifetime: only.lifetime, because: only.because };
    }
    return { what: subject(`\`${value}\``), lifetime: "unknown", because: `\`${value}\` may be ${whats.join(" or ")}` };
  }

  /** The references inside the `${{ }}` of a value, each classified; empty when the value is literal text. */
  private referencesIn(ts: TimelineStep, value: string, depth: number): Credential[] {
    const out: Credential[] = [];
    for (const m of value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
      const inner = m[1]!;
      let found = false;
      for (const r of inner.matchAll(/\b(secrets|github|env|steps|inputs|vars|needs|matrix|jobs)\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])((?:\s*\.\s*[A-Za-z_][\w-]*)*)/g)) {
        found = true;
        const scope = r[1]!;
        const name = (r[2] ?? r[3])!;
        const rest = r[4] ?? "";
        if (scope === "github" && name === "token") {
          out.push({ what: "the GITHUB_TOKEN", lifetime: "job" });
          continue;
        }
        if (scope === "secrets") {
          out.push(name.toUpperCase() === "GITHUB_TOKEN" ? { what: "the GITHUB_TOKEN", lifetime: "job" } : { what: `the secret \`${name}\``, lifetime: "lasting" });
          continue;
        }
        if (scope === "env" && depth < 5) {
          const v = this.envValue(ts, name);
          const inside = v !== undefined ? this.referencesIn(ts, v, depth + 1) : [];
          if (v !== undefined && !v.includes("${{") && v.trim()) out.push({ what: `the value of \`${name}\` written in the workflow`, lifetime: "lasting" });
          else if (inside.length) out.push(...inside);
          else out.push({ what: `\`env.${name}\``, lifetime: "unknown" });
          continue;
        }
        if (scope === "steps") {
          out.push(this.stepOutput(ts, name, rest.replace(/\s/g, "")));
          continue;
        }
        out.push({ what: `\`${scope}.${name}${rest.replace(/\s/g, "")}\``, lifetime: "unknown" });
      }
      if (!found) out.push({ what: `\`${inner.trim()}\``, lifetime: "unknown" });
    }
    return out;
  }

  /** `steps.<id>.outputs.token` of a GitHub App token action earlier in the same job or composite. */
  private stepOutput(ts: TimelineStep, id: string, rest: string): Credential {
    const unknown: Credential = { what: `\`steps.${id}${rest}\``, lifetime: "unknown" };
    const scope = ts.chain[ts.chain.length - 1]?.invocation;
    const source = [...this.node.timeline]
      .reverse()
      .find((s) => s.index < ts.index && s.step.id?.value === id && s.chain[s.chain.length - 1]?.invocation === scope);
    const ref = source?.step.uses?.ref;
    if (!source || ref?.kind !== "remote" || rest !== ".outputs.token") return unknown;
    const action = `${ref.owner}/${ref.repo}`.toLowerCase();
    const label = `an app token from ${stepLabel(source, { from: ts.file })}`;
    if (action === "actions/create-github-app-token") {
      // post.js: `Boolean(core.getInput("skip-token-revoke"))`: any non-empty value skips the revocation.
      const skip = (source.with.get("skip-token-revoke") ?? source.with.get("skip_token_revoke") ?? "").trim();
      if (skip) return { what: `${label}, not revoked since \`skip-token-revoke\` is set, valid for an hour`, lifetime: skip.includes("${{") ? "unknown" : "lasting" };
      return { what: label, lifetime: "job", because: "actions/create-github-app-token revokes it in its post step, at the end of the job" };
    }
    if (action === "tibdex/github-app-token") {
      const revoke = (source.with.get("revoke") ?? "").trim().toLowerCase();
      const major = releaseOf(this.pins, action, ref.ref)?.[0];
      if (revoke === "false" || (major !== undefined && major < 2)) return { what: `${label}, not revoked at the end of the job, valid for an hour`, lifetime: "lasting" };
      if (major === undefined || revoke.includes("${{")) return { what: label, lifetime: "unknown", because: `credflow cannot tell whether \`${ref.ref}\` revokes it at the end of the job (v2 and later do)` };
      return { what: label, lifetime: "job", because: "tibdex/github-app-token v2+ revokes it in its post step, at the end of the job" };
    }
    return unknown;
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
      const writer = (cred: Credential, cleanedUpByPost: boolean, by = how): Writer => ({ index: ts.index, ts, how: by, cleanedUpByPost, what: cred.what, lifetime: cred.lifetime, because: cred.because });
      if (action === "actions/checkout" && !sub) this.checkout(ts, ref.ref, how);
      else if (action === "aws-actions/amazon-ecr-login") {
        const skip = (ts.with.get("skip-logout") ?? "").trim().toLowerCase() === "true";
        // An ECR authorization token is valid for 12 hours.
        this.addEvent(this.dockerConfig(ts), false, writer({ what: "an ECR registry login valid for 12 hours", lifetime: "lasting" }, !skip), "ECR registry login");
      } else if (action === "docker/login-action") {
        const keep = (ts.with.get("logout") ?? "").trim().toLowerCase() === "false";
        const password = ts.with.get("password");
        const cred: Credential = password?.trim()
          ? this.credentialOf(ts, password, (w) => `a registry login with ${w}`)
          : { what: "a registry login from the job's AWS credentials (an ECR login is valid for 12 hours)", lifetime: "lasting" };
        this.addEvent(this.dockerConfig(ts), false, writer(cred, !keep), "registry login");
      } else if (isConfigureRef(ref) && (ts.with.get("aws-profile") ?? "").trim()) {
        this.addEvent(this.awsCredentialsFile(ts), false, writer({ what: "AWS session credentials", lifetime: "lasting" }, false, `${how} with \`aws-profile\``), "AWS session credentials");
      } else if (action === "s4u/maven-settings-action" || action === "whelk-io/maven-settings-xml-action") {
        // Both write ~/.m2/settings.xml with the server entries as given: `${{ secrets.X }}` becomes the value itself.
        const servers = ts.with.get("servers") ?? "";
        const refs = this.referencesIn(ts, servers, 0).filter((c) => c.lifetime !== "unknown");
        const worst = refs.sort((a, b) => LIFETIME_RANK[b.lifetime] - LIFETIME_RANK[a.lifetime])[0];
        if (worst) this.addEvent(`${HOME}/.m2/settings.xml`, false, writer({ what: `Maven server passwords from ${worst.what}`, lifetime: worst.lifetime, because: worst.because }, false), "Maven server passwords");
      } else if (action === "actions/setup-java") {
        // setup-java writes `<password>${env.<server-password>}</password>`: the input names a variable.
        // A secret passed as the name ends up in ~/.m2/settings.xml as text.
        for (const key of ["server-username", "server-password", "gpg-passphrase"]) {
          const v = ts.with.get(key) ?? "";
          const secret = this.referencesIn(ts, v, 0).find((c) => c.lifetime === "lasting" || c.lifetime === "job");
          if (secret) {
            this.addEvent(`${HOME}/.m2/settings.xml`, false, writer({ what: `${secret.what}, passed as \`${key}\` (the name of an environment variable) and so written into the file as text`, lifetime: secret.lifetime }, false), "Maven server passwords");
            break;
          }
        }
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
    // git-auth-helper.ts: the token (`token:`, default the GITHUB_TOKEN) always goes into the
    // extraheader; an `ssh-key:` goes into a file under $RUNNER_TEMP that `core.sshCommand` names.
    const token = this.credentialOf(ts, ts.with.get("token"), (w) => `the token from \`token:\`, ${w}`);
    const sshKey = (ts.with.get("ssh-key") ?? "").trim();
    const major = releaseOf(this.pins, "actions/checkout", ref)?.[0];
    const writer = (cred: Credential): Writer => ({ index: ts.index, ts, how, cleanedUpByPost: true, what: cred.what, lifetime: cred.lifetime, because: cred.because });
    const rel = (ts.with.get("path") ?? "").trim();
    const repoDir = rel && !rel.includes("${{") ? normalize(`${WORKSPACE}/${rel}`) : rel ? undefined : WORKSPACE;
    if (sshKey) this.addEvent(`${RUNNER_TEMP}/00000000-0000-0000-0000-000000000000`, false, writer({ what: "the SSH key from `ssh-key:`", lifetime: "lasting" }), "the SSH key");
    // v6 moved persisted credentials out of .git/config into a file under $RUNNER_TEMP.
    const unknown = major === undefined ? ", if that version predates v6 (v6 keeps it under $RUNNER_TEMP)" : "";
    if ((major === undefined || major < 6) && repoDir) this.addEvent(`${repoDir}/.git/config`, false, writer({ ...token, what: `${token.what}${unknown}` }), `${token.what}${unknown}`);
    if (major === undefined || major >= 6) {
      this.addEvent(`${RUNNER_TEMP}/git-credentials-00000000-0000-0000-0000-000000000000.config`, false, writer(token), token.what);
    }
  }

  private scanRun(ts: TimelineStep, script: string): void {
    const local = new Map<string, string>();
    // Read for the few lines that log in or redirect (below), not for every run: step.
    let secretEnv: Map<string, Lifetime> | undefined;
    const secrets = () => (secretEnv ??= this.secretEnvNames(ts));
    const writer = (how: string, cred: Credential): Writer => ({ index: ts.index, ts, how, cleanedUpByPost: false, what: cred.what, lifetime: cred.lifetime, because: cred.because });
    const lasting = (what: string): Credential => ({ what, lifetime: "lasting" });
    for (const line of logicalLines(script)) {
      const text = line.text;
      const masked = maskQuotes(text);
      // Most lines run none of the commands below: each test is gated on a word it needs.
      const aws = masked.includes("aws");
      if (masked.includes("export")) for (const m of masked.matchAll(/(?:^|[\s;&|])export\s+([A-Za-z_]\w*)=(\S*)/g)) {
        const value = text.slice(m.index + m[0].length - m[2]!.length, m.index + m[0].length);
        local.set(m[1]!, value.replace(/^["']|["']$/g, ""));
      }
      // echo "AWS_SHARED_CREDENTIALS_FILE=…" >> $GITHUB_ENV names a file for the rest of the job.
      if (/GITHUB_ENV/.test(text)) {
        for (const m of text.matchAll(/\b(AWS_SHARED_CREDENTIALS_FILE|AWS_CONFIG_FILE|KUBECONFIG|DOCKER_CONFIG)=([^\s"'>]+)/g)) {
          this.addNamed(ts, m[1]!, m[2]!, `a \`GITHUB_ENV\` line of ${stepLabel(ts)}`, local);
        }
      }
      // What the line and its here-document carry (a secret, a credential variable, a command's
      // output): read only for the few lines that log in or redirect (most lines do neither).
      let carried: { body: ReturnType<typeof secretIn>; line: ReturnType<typeof secretIn> } | undefined;
      const carries = () => (carried ??= { body: line.body ? secretIn(line.body, secrets()) : undefined, line: secretIn(text, secrets()) });
      if (aws && /\baws\s+configure\s+set\s+(?:--profile\s+\S+\s+)?(?:[\w.-]+\.)?(?:aws_secret_access_key|aws_access_key_id|aws_session_token)\b/.test(masked)) {
        this.addEvent(this.awsCredentialsFile(ts, local), false, writer("`aws configure set`", lasting("AWS access keys")), "AWS access keys");
      } else if (aws && /\baws\s+configure\s+import\b/.test(masked)) {
        this.addEvent(this.awsCredentialsFile(ts, local), false, writer("`aws configure import`", lasting("AWS access keys")), "AWS access keys");
      }
      if (aws && /\baws\s+sso\s+login\b/.test(masked)) this.addEvent(`${HOME}/.aws/sso/cache`, true, writer("`aws sso login`", lasting("AWS SSO tokens")), "AWS SSO tokens");
      const docker = masked.includes("docker") && /\bdocker\s+(?:--config[\s=]+\S+\s+)?login\b/.test(masked);
      const ecrV1 = aws && /\baws\s+ecr\s+get-login\b(?!-)/.test(masked);
      if (docker || ecrV1) {
        const dir = /\bdocker\s+--config[\s=]+(\S+)\s+login\b/.exec(text)?.[1];
        const cfg = dir ? this.shellPath(ts, dir, local) : undefined;
        const ecr = /get-login-password/.test(masked) || ecrV1;
        const how = /get-login-password/.test(masked) ? "`aws ecr get-login-password | docker login`" : ecrV1 ? "`aws ecr get-login`" : "`docker login`";
        // An ECR password lives 12 hours; another registry's password is what the line passes (the GITHUB_TOKEN dies with the job).
        const onLine = ecr ? undefined : (carries().body ?? carries().line);
        const cred: Credential = ecr
          ? lasting("an ECR registry login valid for 12 hours")
          : onLine && !onLine.output
            ? { what: `a registry login with ${onLine.what}`, lifetime: onLine.lifetime }
            : lasting("a registry login");
        this.addEvent(cfg ? `${cfg}/config.json` : this.dockerConfig(ts, local), false, writer(how, cred), "registry login");
      }
      if (aws && /\baws\s+eks\s+update-kubeconfig\b/.test(masked)) {
        const m = /--kubeconfig[\s=]+(\S+)/.exec(text);
        const explicit = m ? this.shellPath(ts, m[1]!, local) : undefined;
        const env = local.get("KUBECONFIG") ?? this.envValue(ts, "KUBECONFIG");
        const fromEnv = env ? this.shellPath(ts, env.split(":")[0]!, local) : undefined;
        // aws-cli's update_kubeconfig.py writes the cluster's endpoint and CA and an `exec` entry that
        // runs `aws eks get-token` when kubectl needs a token: no secret is stored.
        const cred: Credential = { what: "an EKS cluster entry that holds no token", lifetime: "none" };
        this.addEvent(explicit ?? fromEnv ?? KUBE_DEFAULT, false, writer("`aws eks update-kubeconfig`", cred), "EKS cluster access");
      }
      const ca = aws && /\baws\s+codeartifact\s+login\b/.test(masked) ? /--tool[\s=]+(\w+)/.exec(masked)?.[1]?.toLowerCase() : undefined;
      if (ca) {
        const target = CODEARTIFACT_FILES[ca];
        if (target) this.addEvent(`${HOME}/${target}`, false, writer(`\`aws codeartifact login --tool ${ca}\``, lasting("a CodeArtifact token valid for 12 hours by default")), "a CodeArtifact token");
      }
      if (masked.includes("gh") && /\bgh\s+auth\s+login\b/.test(masked)) {
        const onLine = carries().body ?? carries().line;
        const cred: Credential = onLine && !onLine.output ? { what: `a GitHub token, ${onLine.what}`, lifetime: onLine.lifetime } : { what: "a GitHub token", lifetime: "unknown", because: "the line does not show which token it passes" };
        this.addEvent(`${HOME}/.config/gh/hosts.yml`, false, writer("`gh auth login`", cred), "a GitHub token");
      }
      // A secret written out (echo/printf/cat or a here-document), or a command whose output is a credential;
      // not a command that merely uses a secret (`curl -H "Authorization: …" > response.json`).
      const targets = redirectTargets(text);
      if (targets.length === 0) continue;
      const { body: fromBody, line: fromLine } = carries();
      const secret = fromBody ?? (fromLine && (fromLine.output || writesValue(text)) ? fromLine : undefined);
      if (secret) {
        for (const target of targets) {
          const p = this.shellPath(ts, target, local);
          if (p) this.addEvent(p, false, writer("a shell redirect", { what: secret.what, lifetime: secret.lifetime }), secret.what);
        }
      }
    }
  }

  /** Variables whose value comes from a secret, the GITHUB_TOKEN or credentials, for `$NAME` in scripts. */
  private secretEnvNames(ts: TimelineStep): Map<string, Lifetime> {
    const names = new Map<string, Lifetime>([
      ["AWS_SECRET_ACCESS_KEY", "lasting"],
      ["AWS_SESSION_TOKEN", "lasting"],
    ]);
    for (const v of envAt(this.node, ts).values()) {
      if (!v.text || !/\bsecrets\s*(?:\.|\[)|\bgithub\.token\b|outputs\.aws-secret-access-key\b/.test(v.text)) continue;
      if (/outputs\.aws-secret-access-key\b/.test(v.text)) {
        names.set(v.name, "lasting");
        continue;
      }
      const refs = this.referencesIn(ts, v.text, 0).filter((c) => c.lifetime === "job" || c.lifetime === "lasting");
      if (refs.length) names.set(v.name, refs.some((c) => c.lifetime === "lasting") ? "lasting" : "job");
    }
    return names;
  }

  /**
   * The places present when `save` takes its snapshot, each with the step that put credentials there
   * (the longest-lived credential when several did), or marked `leftover` when only a runner that keeps
   * files between jobs can have put something there.
   */
  placesAt(saveIndex: number, saveAtEnd: boolean): Place[] {
    const counts = (w: Writer) =>
      saveAtEnd
        ? // actions/cache saves in its post step; post steps run in reverse order, so an action
          // registered after the cache step has already cleaned up by then.
          !(w.cleanedUpByPost && w.index > saveIndex)
        : w.index < saveIndex;
    const places: Place[] = this.places.map((p) => ({ ...p, ...(this.doubt && mayBeLeftOver(p.path) ? { leftover: this.doubt } : {}) }));
    for (const ev of this.events) {
      if (!counts(ev.writer)) continue;
      const writer: Writer = { ...ev.writer, what: ev.writer.what ?? ev.what };
      const home = places.find((p) => p.path === ev.path || (p.dir && ev.path.startsWith(`${p.path}/`)));
      if (home) {
        if (!home.writer || LIFETIME_RANK[writer.lifetime] > LIFETIME_RANK[home.writer.lifetime]) home.writer = writer;
        continue;
      }
      places.push({ path: ev.path, dir: ev.dir, what: ev.what, writer });
    }
    return places.filter((p) => p.writer || p.leftover);
  }
}

/**
 * Whether the home directory may hold files from before the job: not on GitHub-hosted runners, AWS
 * CodeBuild runners (a fresh build container each time) or in a job container (its home,
 * /github/home, lives under the runner's temp directory, emptied for every job).
 */
export function runnerDoubt(node: JobNode): RunnerDoubt | undefined {
  const image = node.job.container?.image;
  if (image && image.value.trim() && !image.isExpression) return undefined;
  const runner = runnerKind(node);
  if (runner.kind === "self-hosted" || runner.kind === "unknown") return { kind: runner.kind, runsOn: runner.text };
  return undefined;
}

/** $RUNNER_TEMP is emptied for every job, and the workspace is the checkout's: neither keeps another job's credential files. */
function mayBeLeftOver(path: string): boolean {
  return !(path === RUNNER_TEMP || path.startsWith(`${RUNNER_TEMP}/`) || path === WORKSPACE || path.startsWith(`${WORKSPACE}/`));
}

/**
 * The release a ref runs, when credflow knows it: the release of a tag or commit in the pin table, a
 * branch whose head is the newest release, or a version-shaped ref the table does not list. Undefined
 * for other branches (a frozen `master` runs old code) and unknown commits.
 */
export function releaseOf(pins: PinResolver, action: string, ref: string): Version | undefined {
  const info = pins.resolve(action, ref);
  if (info.tag) return parseVersion(info.tag);
  if (info.newestRelease && info.commit === info.newestRelease.commit) return parseVersion(info.newestRelease.tag);
  if (info.kind === "tag" && looksLikeVersion(ref)) return parseVersion(ref);
  // A ref the table does not list: a version-named ref (`v2`, tag or maintenance branch) runs that
  // major's code either way, which is all the lifetime questions here need.
  if (info.kind === "unknown" && looksLikeVersion(ref)) return parseVersion(ref);
  return undefined;
}
