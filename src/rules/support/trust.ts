/** What the three OIDC trust rules share: wording and locations for roles, statements and values. */
import type { Located, PolicyString, TrustCondition, TrustRole, TrustStatement } from "../../iac/types.js";
import { shownText } from "../../iac/types.js";
import { concernsGithub, githubClaim } from "../../iac/iam.js";
import type { Location, RelatedLocation } from "../types.js";

export function loc(l: Located): Location {
  return { path: l.file.path, range: l.range };
}

export function related(l: Located, message: string): RelatedLocation {
  return { path: l.file.path, range: l.range, message };
}

/** `CityFlowCICD`, `<stack>-JamsDeployRole-<suffix>`, `deploy-*`. */
export function roleName(role: TrustRole): string {
  const n = role.name;
  switch (n.kind) {
    case "name":
      return n.value;
    case "prefix":
      return `${n.value}…`;
    case "generated":
      return `<stack>-${n.logicalId}-<suffix>`;
    default:
      return role.id;
  }
}

/** "role `CityFlowCICD` (aws_iam_role.cityflow_cicd in infra/phase0/role.tf:6)". */
export function describeRole(role: TrustRole): string {
  const where = `${role.at.file.path}:${role.at.range.start.line}`;
  const what = role.source === "terraform" ? role.id : role.source === "json" ? "trust-policies" : `logical id ${role.id}`;
  return `role \`${roleName(role)}\` (${what}${role.instance ? `, ${role.instance}` : ""}, ${where})`;
}

/** The statements of a role that concern GitHub's OIDC provider and allow a web-identity exchange. */
export function githubStatements(role: TrustRole): TrustStatement[] {
  if (!("statements" in role.policy)) return [];
  return role.policy.statements.filter((s) => concernsGithub(s) === true && s.webIdentity !== false);
}

export function claimConditions(st: TrustStatement, claim: string): TrustCondition[] {
  return st.conditions.filter((c) => githubClaim(c.key) === claim);
}

/** `sub` values written in the role's GitHub statements (for messages and related locations). */
export function subValues(role: TrustRole): PolicyString[] {
  const out: PolicyString[] = [];
  for (const st of githubStatements(role)) for (const c of claimConditions(st, "sub")) if (Array.isArray(c.values)) out.push(...c.values);
  return out;
}

/** Every default a role's GitHub conditions rely on. */
export function roleAssumptions(role: TrustRole): string[] {
  const out: string[] = [];
  const add = (xs: readonly string[]) => {
    for (const x of xs) if (!out.includes(x)) out.push(x);
  };
  for (const st of githubStatements(role)) for (const c of st.conditions) if (Array.isArray(c.values)) for (const v of c.values) add(v.assumptions);
  return out;
}

/** `a`, `a` and `b`, `a`, `b` and 3 more. */
export function listed(items: readonly string[], max = 4): string {
  if (items.length <= 1) return items.join("");
  if (items.length > max) return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function quoted(s: PolicyString): string {
  return `\`${shownText(s)}\``;
}
