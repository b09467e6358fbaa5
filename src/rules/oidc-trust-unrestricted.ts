/**
 * oidc-trust-unrestricted: a trust policy statement for GitHub's OIDC provider that any repository
 * on GitHub can satisfy (no `sub` condition, or a value such as `*` or `repo:*`), or every
 * repository of one owner (`repo:org/` followed by a star).
 */
import type { Rule } from "./types.js";
import { judgeValues, parseOperator, githubClaim, type SubjectPart } from "../iac/iam.js";
import type { PolicyString, TrustRole, TrustStatement } from "../iac/types.js";
import { knownText } from "../iac/types.js";
import { roleLinks } from "../graph/oidc.js";
import { claimConditions, describeRole, githubStatements, listed, loc, quoted, related, roleName } from "./support/trust.js";

type Scope = "any" | "owner" | "repo" | "unknown";

const CONTEXTS = ["ref:refs/heads/main", "ref:refs/heads/master", "ref:refs/tags/v1.0.0", "pull_request", "environment:production", "environment:prod"];

/** Contexts to try: common ones, and the one the value itself spells after the repository. */
function contextsFor(text: string | undefined): string[] {
  const out = [...CONTEXTS];
  const m = text !== undefined ? /^repo:[^:]*:(.+)$/.exec(text) : null;
  if (m) out.push(m[1]!.replace(/[*?]/g, "x"));
  return out;
}

const WIDE: SubjectPart = { hole: "noslash", varies: true, label: "" };

/** How far one `sub` value (under a positive string operator) opens the role. */
function valueScope(v: PolicyString, like: boolean, ignoreCase: boolean): Scope {
  const op = { base: like ? ("Like" as const) : ("Equals" as const), negated: false, ignoreCase, ifExists: false };
  const text = knownText(v);
  const ctxs = contextsFor(text);
  const anyRepo = ctxs.some((c) => judgeValues([{ lit: "repo:" }, WIDE, { lit: "/" }, WIDE, { lit: `:${c}` }], [v], op) === "all");
  if (anyRepo) return "any";
  if (text === undefined) {
    // An unknown part may stand for anything: say nothing unless the known text already limits it.
    return "unknown";
  }
  const owner = /^repo:([^/*?]+)\//.exec(text)?.[1];
  if (owner !== undefined && ctxs.some((c) => judgeValues([{ lit: `repo:${owner}/` }, WIDE, { lit: `:${c}` }], [v], op) === "all")) return "owner";
  return "repo";
}

const RANK: Record<Scope, number> = { repo: 0, unknown: 1, owner: 2, any: 3 };

/**
 * The statement's scope: its `sub` conditions are ANDed, so the narrowest decides; within one
 * condition the values are ORed, so the widest decides. `values` are the values that open it.
 */
function statementScope(st: TrustStatement): { scope: Scope; values: PolicyString[] } | undefined {
  if (st.effect !== "Allow" || st.opaque || !st.conditionsComplete || st.webIdentity !== true) return undefined;
  let scope: Scope = "any";
  let values: PolicyString[] = [];
  for (const c of st.conditions) {
    const claim = githubClaim(c.key);
    const op = parseOperator(c.operator);
    if (claim === "aud") continue;
    // A condition on another claim (or key) may limit who can assume: credflow does not judge it.
    if (claim !== "sub" || !op) return undefined;
    if (op.negated) continue; // excluding some subjects still lets every other repository in
    if (!Array.isArray(c.values)) {
      if (RANK.unknown < RANK[scope]) scope = "unknown";
      continue;
    }
    let widest: Scope = "repo";
    let open: PolicyString[] = [];
    for (const v of c.values) {
      const s = valueScope(v, op.base === "Like", op.ignoreCase);
      if (RANK[s] > RANK[widest]) {
        widest = s;
        open = [v];
      } else if (s === widest) open.push(v);
    }
    if (RANK[widest] < RANK[scope] || values.length === 0) {
      if (RANK[widest] <= RANK[scope]) values = open;
      if (RANK[widest] < RANK[scope]) scope = widest;
    }
  }
  return { scope, values };
}

export const oidcTrustUnrestricted: Rule = {
  id: "oidc-trust-unrestricted",
  title: "Trust policy lets any repository assume the role",
  description:
    "Reports trust policy statements for GitHub's OIDC provider without a `sub` condition or with one every repository on GitHub matches (`*`, `repo:*`, `repo:*/*`): anyone's workflow can assume the role. A `sub` that allows every repository of one owner (`repo:org/*`) is a warning.",
  defaultLevel: "error",
  tags: ["security", "aws", "oidc"],
  securitySeverity: "9.1",
  precision: "high",
  fixable: false,
  check(ctx) {
    const roles = ctx.graph.trust?.roles ?? [];
    if (roles.length === 0) return;
    const links = roleLinks(ctx.graph);
    for (const role of roles) {
      for (const st of githubStatements(role)) {
        if (st.provider.kind === "unknown" && !st.conditions.some((c) => githubClaim(c.key) !== undefined)) continue;
        const judged = statementScope(st);
        if (!judged || judged.scope === "repo" || judged.scope === "unknown") continue;
        report(ctx, role, st, judged.scope, judged.values, links.filter((l) => l.roles.includes(role)));
      }
    }
  },
};

function report(
  ctx: Parameters<Rule["check"]>[0],
  role: TrustRole,
  st: TrustStatement,
  scope: "any" | "owner",
  values: PolicyString[],
  links: ReturnType<typeof roleLinks>,
): void {
  const assumptions = [...new Set(values.flatMap((v) => v.assumptions))];
  const noSub = claimConditions(st, "sub").every((c) => parseOperator(c.operator)?.negated);
  const at = noSub ? (st.conditionAt ?? st.at) : (values[0]?.at ?? st.at);
  const owner = scope === "owner" ? /^repo:([^/*?]+)\//.exec(knownText(values.find((v) => /^repo:[^/*?]+\//.test(knownText(v) ?? "")) ?? values[0]!) ?? "")?.[1] : undefined;
  const what = noSub
    ? "has no `sub` condition"
    : scope === "any"
      ? `accepts the subject ${listed(values.map(quoted), 3)}, which every repository matches`
      : `accepts the subject ${listed(values.map(quoted), 3)}, which every repository of \`${owner ?? "the owner"}\` matches`;
  const who = scope === "any" ? "a workflow in any repository on GitHub (anyone can create one)" : `a workflow in any repository of \`${owner ?? "the owner"}\`, including ones created later and forks kept there`;
  const condition = assumptions.length > 0 ? ` (if ${listed(assumptions, 3)})` : "";
  const used = links.length > 0 ? ` Jobs here assume it from ${listed([...new Set(links.map((l) => `\`${l.node.workflow.file.path}\``))], 3)}.` : "";
  const level = scope === "any" && assumptions.length === 0 ? "error" : "warning";
  ctx.report({
    level,
    headline: scope === "any" ? `${roleName(role)} can be assumed from any GitHub repository` : `${roleName(role)} can be assumed from every repository of ${owner ?? "its owner"}`,
    why:
      scope === "any"
        ? "Without a `sub` condition that names the repository, GitHub's OIDC provider vouches for every workflow on GitHub."
        : "A `sub` pattern that ends at the owner trusts every repository that owner has or creates.",
    hint: "Restrict `token.actions.githubusercontent.com:sub` to this repository (`repo:OWNER/NAME:ref:refs/heads/main`, `repo:OWNER/NAME:environment:prod`).",
    label: noSub ? "no `sub` condition" : scope === "any" ? "matches every repository" : "matches every repository of the owner",
    message:
      `The trust policy of ${describeRole(role)} trusts GitHub's OIDC provider and ${what}: ${who} can assume the role${condition}.` +
      `${used} Add a \`StringLike\` (or \`StringEquals\`) condition on \`token.actions.githubusercontent.com:sub\` that names this repository and the branches or environments that deploy.`,
    location: loc(at),
    related: [related(role.at, `${roleName(role)} is defined here`), ...links.slice(0, 3).map((l) => related({ file: l.ts.file, range: l.ts.step.uses!.node.range }, `job \`${l.node.job.id}\` assumes this role here`))],
    key: `${role.id}\0${role.instance ?? ""}\0${scope}`,
  });
}
