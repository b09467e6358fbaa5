/**
 * oidc-trust-condition-operator: `StringEquals` (and its negated, case-folding and set forms) with
 * `*` or `?` in a `sub` or `aud` value, which IAM compares literally; and `aud` conditions that do
 * not accept the audience configure-aws-credentials sends by default.
 */
import type { Rule } from "./types.js";
import { githubClaim, judgeValues, parseOperator } from "../iac/iam.js";
import type { PolicyString, TrustCondition, TrustRole, TrustStatement } from "../iac/types.js";
import { knownText } from "../iac/types.js";
import { roleLinks, subjectText } from "../graph/oidc.js";
import { describeRole, githubStatements, listed, loc, quoted, related, roleName } from "./support/trust.js";

const DEFAULT_AUDIENCE = "sts.amazonaws.com";

/** `StringEquals` → `StringLike`, keeping prefixes and suffixes; undefined when there is no Like form. */
export function likeOperator(op: string): string | undefined {
  if (/IgnoreCase/i.test(op)) return undefined;
  const out = op.replace(/Equals/i, (m) => (m === "Equals" ? "Like" : m === "equals" ? "like" : "LIKE"));
  return out === op ? undefined : out;
}

export const oidcTrustConditionOperator: Rule = {
  id: "oidc-trust-condition-operator",
  title: "Trust policy condition that can never match",
  description:
    "Reports `StringEquals`/`StringNotEquals`/`ForAnyValue:StringEquals` conditions with `*` or `?` in a `sub` or `aud` value of a GitHub OIDC trust policy (compared literally, they match no token), and `aud` conditions that do not accept `sts.amazonaws.com` for a standard-partition provider.",
  defaultLevel: "error",
  tags: ["correctness", "aws", "oidc"],
  precision: "very-high",
  fixable: "safe",
  check(ctx) {
    const roles = ctx.graph.trust?.roles ?? [];
    if (roles.length === 0) return;
    const links = roleLinks(ctx.graph);
    for (const role of roles) {
      for (const st of githubStatements(role)) {
        for (const c of st.conditions) {
          const claim = githubClaim(c.key);
          if ((claim !== "sub" && claim !== "aud") || !Array.isArray(c.values)) continue;
          const op = parseOperator(c.operator);
          if (!op) continue;
          if (op.base === "Equals") literalWildcards(ctx, role, c, claim, c.values);
          if (claim === "aud" && !op.negated) audience(ctx, role, st, c, c.values, links.filter((l) => l.roles.includes(role)));
        }
      }
    }
  },
};

function literalWildcards(ctx: Parameters<Rule["check"]>[0], role: TrustRole, c: TrustCondition, claim: string, values: PolicyString[]): void {
  const bad = values.filter((v) => v.segments.some((s) => !("unknown" in s) && /[*?]/.test(s.text)));
  if (bad.length === 0) return;
  const like = likeOperator(c.operator);
  const assumptions = [...new Set(bad.flatMap((v) => v.assumptions))];
  const collides = like !== undefined && c.siblingOperators.includes(like);
  const fixNote = !like
    ? `\`${c.operator}\` has no wildcard form that keeps its case folding; rewrite the condition by hand`
    : collides
      ? `the same \`Condition\` already has a \`${like}\` block: move these values into it by hand`
      : !c.operatorEdit
        ? "the operator is not written as one plain literal"
        : undefined;
  const edit = c.operatorEdit;
  ctx.report({
    level: assumptions.length > 0 ? "warning" : "error",
    headline: `\`${c.operator}\` compares ${listed(bad.map(quoted), 2)} literally: it matches no token`,
    why: "`StringEquals` treats `*` and `?` as plain characters, and no GitHub token has them in its `" + claim + "` claim.",
    hint: like ? `Use \`${like}\` for patterns with wildcards.` : "Use `StringLike` for patterns with wildcards.",
    label: `${claim} pattern under \`${c.operator}\``,
    message:
      `The trust policy of ${describeRole(role)} checks \`${c.key}\` with \`${c.operator}\`, which compares ${listed(bad.map(quoted), 3)} character for character: ` +
      `\`*\` and \`?\` are not wildcards there, and no OIDC token carries them, so ${c.operator.includes("Not") ? "the negation excludes nothing" : bad.length === values.length ? "this condition matches no token" : `${bad.length === 1 ? "this value matches" : "these values match"} no token`}` +
      `${assumptions.length > 0 ? ` (if ${listed(assumptions, 3)})` : ""}. Use \`${like ?? "StringLike"}\`${like ? "" : " (without case folding)"}, which expands \`*\` and \`?\`.`,
    location: loc(bad[0]!.at),
    related: [related(c.operatorAt, `operator \`${c.operator}\``), related(role.at, `${roleName(role)} is defined here`)],
    key: `${role.id}\0${role.instance ?? ""}\0${c.key}\0${c.operator}`,
    ...(like && !collides && edit
      ? { fix: () => ({ description: `use \`${like}\` instead of \`${c.operator}\``, safe: true, edits: [{ path: edit.file.path, start: edit.start, end: edit.end, text: like }] }) }
      : fixNote
        ? { fixNote }
        : {}),
  });
}

function audience(
  ctx: Parameters<Rule["check"]>[0],
  role: TrustRole,
  st: TrustStatement,
  c: TrustCondition,
  values: PolicyString[],
  links: ReturnType<typeof roleLinks>,
): void {
  if (st.provider.kind === "github" && st.provider.partition === "aws-cn") return;
  const texts = values.map(knownText);
  if (texts.some((t) => t === undefined)) return;
  if (texts.some((t) => t!.endsWith(".amazonaws.com.cn"))) return; // a China-partition provider
  const op = parseOperator(c.operator)!;
  if (judgeValues([{ lit: DEFAULT_AUDIENCE }], values, op) !== "none") return;
  // Jobs here that ask for one of these audiences are fine; the rule is about those that do not.
  const users = links.filter((l) => judgeValues(l.audience, values, op) === "none");
  if (links.length > 0 && users.length === 0) return;
  ctx.report({
    level: "warning",
    headline: `\`aud\` accepts only ${listed(values.map(quoted), 2)}, not \`${DEFAULT_AUDIENCE}\``,
    why: "configure-aws-credentials requests tokens for `sts.amazonaws.com` unless a job sets `audience:`.",
    hint: `Accept \`${DEFAULT_AUDIENCE}\`, or set \`audience:\` to this value in every job that assumes the role.`,
    label: "audience",
    message:
      `The trust policy of ${describeRole(role)} requires \`${c.key}\` to be ${listed(values.map(quoted), 3)}, but configure-aws-credentials asks GitHub for a token with audience \`${DEFAULT_AUDIENCE}\` unless the job sets \`audience:\`` +
      (users.length > 0
        ? `; ${listed([...new Set(users.map((l) => `job \`${l.node.job.id}\` (${subjectText(l.audience)})`))], 3)} does not, so its exchange fails with "Incorrect token audience" or "Not authorized to perform sts:AssumeRoleWithWebIdentity".`
        : `: every job that assumes this role must set \`audience:\` to one of these values (and the IAM OIDC provider must list it), or the exchange fails.`),
    location: loc(values[0]!.at),
    related: [related(role.at, `${roleName(role)} is defined here`), ...users.slice(0, 3).map((l) => related({ file: l.ts.file, range: l.ts.step.uses!.node.range }, `job \`${l.node.job.id}\` assumes this role with audience \`${subjectText(l.audience)}\``))],
    key: `${role.id}\0${role.instance ?? ""}\0aud`,
  });
}
