/**
 * Reading `run:` scripts the way credential rules need: logical lines (continuations joined,
 * here-documents attached), quoted text masked, the files a line redirects to, and whether a line
 * writes a credential (a secret, a credential variable, or a command whose output is one).
 * A deliberately small reader, not a shell parser: it errs toward "not seen".
 */
import type { Lifetime } from "./credential-files.js";

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
    const at = text.includes("<<") ? maskQuotes(text).search(/<<(?!<)/) : -1;
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

const QUOTE_OR_ESCAPE = /['"\\]/;

/**
 * The line with quoted text replaced by `_` (quotes kept), so operators inside strings are not seen.
 * Masking only turns characters into `_`: a line without quotes and escapes (most) is its own mask,
 * and a mask holds no text the line does not (callers test the line first).
 */
export function maskQuotes(line: string): string {
  if (!QUOTE_OR_ESCAPE.test(line)) return line;
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
  if (!line.includes(">") && !line.includes("tee")) return [];
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
 * a configure call's secret output), or a command whose standard output is a credential; and how long
 * it lives (the GITHUB_TOKEN dies with the job; secrets, AWS keys and command outputs outlive it).
 * `secretEnv` holds the variables set from a secret or a token (a Set counts them all as lasting).
 */
export function secretIn(text: string, secretEnv: ReadonlySet<string> | ReadonlyMap<string, Lifetime>): { what: string; output: boolean; lifetime: Lifetime } | undefined {
  // Commands whose output is the credential come first: their arguments may mention other secrets.
  const output = (what: string) => ({ what, output: true, lifetime: "lasting" as const });
  if (/\baws\s+ecr\s+get-login-password\b/.test(text)) return output("the ECR password from `aws ecr get-login-password`");
  if (/\baws\s+codeartifact\s+get-authorization-token\b/.test(text)) return output("a CodeArtifact token");
  if (/\baws\s+sts\s+(?:assume-role|assume-role-with-web-identity|get-session-token|get-federation-token)\b/.test(text)) return output("temporary AWS credentials from `aws sts`");
  if (/\baws\s+configure\s+export-credentials\b/.test(text)) return output("AWS credentials from `aws configure export-credentials`");
  // Any secret other than the GITHUB_TOKEN outlives the job; the GITHUB_TOKEN (`github.token` too) does not.
  let jobToken = false;
  for (const m of text.matchAll(/\$\{\{([^}]*)\}\}/g)) {
    for (const s of m[1]!.matchAll(/\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g)) {
      const name = (s[1] ?? s[2])!;
      if (name.toUpperCase() !== "GITHUB_TOKEN") return { what: `the secret \`${name}\``, output: false, lifetime: "lasting" };
      jobToken = true;
    }
    if (/\bgithub\.token\b/.test(m[1]!)) jobToken = true;
  }
  if (/\boutputs\.aws-secret-access-key\b/.test(text)) return { what: "the `aws-secret-access-key` output of a configure-aws-credentials step", output: false, lifetime: "lasting" };
  let jobVar: string | undefined;
  for (const name of secretEnv.keys()) {
    if (!text.includes(name)) continue;
    if (mentionPattern(name).test(text)) {
      const lifetime: Lifetime = secretEnv instanceof Map ? (secretEnv.get(name) ?? "lasting") : "lasting";
      if (lifetime === "job") {
        jobVar ??= name;
        continue;
      }
      return { what: name === "AWS_SECRET_ACCESS_KEY" || name === "AWS_SESSION_TOKEN" ? `\`$${name}\`` : `\`$${name}\` (set from a secret)`, output: false, lifetime: "lasting" };
    }
  }
  if (jobToken) return { what: "the GITHUB_TOKEN", output: false, lifetime: "job" };
  if (jobVar) return { what: `the GITHUB_TOKEN (\`$${jobVar}\`)`, output: false, lifetime: "job" };
  return undefined;
}

/** `$NAME`, `${NAME}` or `env.NAME`, compiled once per name (an `env:` key may hold any character). */
const mentionPatterns = new Map<string, RegExp>();
function mentionPattern(name: string): RegExp {
  let re = mentionPatterns.get(name);
  if (!re) {
    const n = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    mentionPatterns.set(name, (re = new RegExp(`\\$\\{?${n}\\b|\\benv\\.${n}\\b`)));
  }
  return re;
}

/** Does the line print a value into its redirect (`echo`, `printf`, `cat`, `tee` at the head of a pipeline)? */
export function writesValue(line: string): boolean {
  return /(?:^|[;&|(]\s*|\bthen\s+|\bdo\s+)(?:sudo\s+)?(?:echo|printf|cat|tee)\b/.test(maskQuotes(line).trimStart());
}

