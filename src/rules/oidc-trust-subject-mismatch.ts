/**
 * oidc-trust-subject-mismatch: a job assumes a role defined in the repository whose trust policy
 * accepts none (or only some) of the OIDC subjects the job can present.
 */
import type { Location, RelatedLocation, Rule } from "./types.js";
import { siteInput, valueLocation, type ConfigureSite } from "./support/configure-sites.js";
import { traceValue } from "../graph/values.js";
import type { ProjectGraph } from "../graph/types.js";
import { claimsFor, policyUsesImmutableIds, roleLinks, subjectClasses, subjectText, type RoleLink, type SubjectClass, type SubjectFormat } from "../graph/oidc.js";
import { concernsGithub, judgePolicy, or, type Verdict } from "../iac/iam.js";
import { knownText } from "../iac/types.js";
import { claimConditions, describeRole, githubStatements, listed, quoted, related, roleAssumptions, roleName, subValues } from "./support/trust.js";
import type { PolicyString, TrustRole, TrustStatement } from "../iac/types.js";

export const oidcTrustSubjectMismatch: Rule = {
  id: "oidc-trust-subject-mismatch",
  title: "Trust policy refuses the job's OIDC subject",
  description:
    "Reports configure-aws-credentials OIDC calls whose role is defined in the repository (Terraform, CloudFormation/SAM, CDK output, `trust-policies` JSON) with a trust policy that accepts none, or only some, of the OIDC subjects the job can present (environment, pull_request, branch, tag, subject format, claim template).",
  defaultLevel: "error",
  tags: ["correctness", "aws", "oidc"],
  precision: "high",
  fixable: false,
  check(ctx) {
    if ((ctx.graph.trust?.roles.length ?? 0) === 0) return;
    const links = roleLinks(ctx.graph);
    // One finding per configure step and role: a step reached by several jobs (a composite, a called
    // workflow) presents the union of their subjects.
    const groups = new Map<string, RoleLink[]>();
    for (const l of links) {
      if (l.roles.length === 0) continue;
      const k = `${l.ts.file.path}\0${l.ts.step.range.start.offset}\0${l.roleText}`;
      const list = groups.get(k) ?? [];
      list.push(l);
      groups.set(k, list);
    }
    for (const group of groups.values()) {
      const first = group[0]!;
      const roles = first.roles;
      if (roles.some((r) => !("statements" in r.policy))) continue;
      // A role of that name whose policy has nothing for GitHub's provider is more likely another
      // account's namesake than the role this job assumes: no claim.
      if (roles.every((r) => "statements" in r.policy && r.policy.statements.every((st) => concernsGithub(st) === false))) continue;
      const format: SubjectFormat = ctx.settings.subjectFormat?.format ?? (roles.some(policyUsesImmutableIds) ? "immutable-ids" : "names");
      const judged: Array<{ cls: SubjectClass; verdict: Verdict; sub: string; aud: string; subOnly: Verdict }> = [];
      const seen = new Set<string>();
      for (const l of group) {
        for (const cls of subjectClasses(l.node, l.ts, ctx.settings)) {
          const claims = claimsFor(cls, ctx.settings, format, l.audience);
          const key = `${cls.origin}\0${subjectText(claims.sub)}\0${subjectText(claims.aud)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          let verdict: Verdict = "none";
          // The same without `aud` conditions: tells a refused audience from a refused subject.
          let subOnly: Verdict = "none";
          for (const r of roles) {
            if (!("statements" in r.policy)) continue;
            verdict = or(verdict, judgePolicy(r.policy.statements, claims));
            subOnly = or(subOnly, judgePolicy(withoutAudience(r.policy.statements), claims));
          }
          judged.push({ cls, verdict, sub: subjectText(claims.sub), aud: subjectText(claims.aud), subOnly });
        }
      }
      if (judged.length === 0) continue;
      const refused = judged.filter((j) => j.verdict === "none");
      const partly = judged.filter((j) => j.verdict === "some");
      if (refused.length === 0 && partly.length === 0) continue;
      const all = refused.length === judged.length;
      const assumptions = [...new Set([...roles.flatMap(roleAssumptions), ...roles.flatMap((r) => (r.name.kind === "name" ? r.name.assumptions : []))])];
      const prefixLink = first.how === "name prefix";
      const certain = all && assumptions.length === 0 && !prefixLink;

      const role = roles[0]!;
      const roleText = roles.length === 1 ? describeRole(role) : `${describeRole(role)} (or one of ${roles.length - 1} more of that name)`;
      const accepted = roles.flatMap(subValues);
      const acceptedText = accepted.length > 0 ? `accepts the subjects ${listed(accepted.map(quoted), 6)}` : "has no statement for GitHub's OIDC provider that this job can satisfy";
      const failing = [...refused, ...partly];
      const presents = listed(failing.map((j) => `\`${j.sub}\` ${j.cls.origin}${j.verdict === "some" ? " (some refs only)" : ""}`), 4);
      // Refused only for its audience: the subject would pass.
      const audienceOnly = failing.every((j) => j.subOnly !== "none" && j.subOnly !== j.verdict);
      const audiences = roles.flatMap(audValues);
      const immutable = ctx.settings.subjectFormat?.format === "immutable-ids" && accepted.length > 0 && accepted.every((v) => !/^repo:[^/:]*@/.test(knownText(v) ?? "repo:x@"));
      const conditionParts: string[] = [];
      if (!all) conditionParts.push(`for runs ${listed(failing.map((j) => j.cls.origin), 3)}`);
      if (assumptions.length > 0) conditionParts.push(`if ${listed(assumptions, 3)}`);
      if (prefixLink) conditionParts.push(`if \`${first.roleName}\` is the role created from that name prefix`);
      const how = first.how === "arn" ? "its ARN" : first.how === "generated name" ? "the name CloudFormation generates from its logical id" : first.how === "name prefix" ? "its name prefix" : "its name";
      const headline = all
        ? `${roleName(role)} trusts no OIDC subject this job presents`
        : `${roleName(role)} refuses this job ${listed(failing.map((j) => j.cls.origin), 2)}`;
      const message =
        `${all ? "This job can never assume" : "Some runs of this job cannot assume"} ${roleText}, the role it names (matched by ${how}): its trust policy ${acceptedText}, ` +
        (audienceOnly
          ? `and requires the audience ${listed(audiences.map(quoted), 3)}, but the job asks for a token for \`${failing[0]!.aud}\`${failing[0]!.aud === "sts.amazonaws.com" ? " (the action's default)" : ""}. `
          : `and the job presents ${presents}, which no statement accepts. `) +
        (immutable ? "The repository uses immutable subject claims (`subject-format: immutable-ids`), and the policy names the repository without ids. " : "") +
        `configure-aws-credentials then fails with "Not authorized to perform sts:AssumeRoleWithWebIdentity"${conditionParts.length > 0 ? ` (${conditionParts.join("; ")})` : ""}. ` +
        (audienceOnly
          ? "Set `audience:` on the configure call to an accepted value, or accept `sts.amazonaws.com` in the policy."
          : `Add the job's subject to the trust policy (a \`StringLike\` value such as \`${suggest(failing[0]!.sub)}\`), or change the job's environment or triggers.`);

      const rel: RelatedLocation[] = [related(role.at, `${roleName(role)} is defined here`)];
      for (const v of accepted.slice(0, 4)) rel.push(related(v.at, `the trust policy accepts ${quoted(v)}`));
      for (const l of group) {
        const site = { node: l.node, ts: l.ts, call: l.call, version: l.call.version };
        const place = roleLocation(ctx.graph, site);
        ctx.report({
          level: certain ? "error" : "warning",
          headline,
          why: "STS compares the token's `sub` claim with the role's trust policy, and none of its statements accepts it.",
          hint: "Add the job's subject to the trust policy's `sub` condition, or run the job where the policy expects it.",
          label: all ? "no subject of this job is trusted" : `refused ${listed(failing.map((j) => j.cls.origin), 2)}`,
          message,
          location: place.location,
          related: [...place.related, ...rel],
          via: { node: l.node, step: l.ts },
          key: `${roleName(role)}\0${all}`,
        });
      }
    }
  },
};

function withoutAudience(statements: readonly TrustStatement[]): TrustStatement[] {
  return statements.map((st) => ({ ...st, conditions: st.conditions.filter((c) => !/:aud$/i.test(c.key ?? "")) }));
}

function audValues(role: TrustRole): PolicyString[] {
  const out: PolicyString[] = [];
  for (const st of githubStatements(role)) for (const c of claimConditions(st, "aud")) if (Array.isArray(c.values)) out.push(...c.values);
  return out;
}

/**
 * Where the job's role is written: the literal (through composite and reusable-workflow inputs), or
 * the entry that composes it (`arn:aws:iam::${{ env.ACCOUNT }}:role/…` at a composite call site),
 * with the configure step as a related location when that is elsewhere.
 */
function roleLocation(graph: ProjectGraph, site: ConfigureSite): { location: Location; related: RelatedLocation[] } {
  const input = siteInput(site, "role-to-assume");
  if (!input) return { location: { path: site.ts.file.path, range: site.ts.step.uses!.node.range }, related: [] };
  if (input.origin) return valueLocation(site, input);
  const hops = traceValue(graph, site.node, site.ts, input.entry);
  const last = hops[hops.length - 1]!;
  if (!last.entry || last.file === site.ts.file) return valueLocation(site, input);
  const inner: Location = { path: site.ts.file.path, range: input.entry.value?.range ?? input.entry.range };
  return {
    location: { path: last.file.path, range: last.entry.value?.range ?? last.entry.range },
    related: [{ ...inner, message: `this value reaches \`role-to-assume\` of configure-aws-credentials here` }],
  };
}

/** A StringLike value that would accept the subject (holes become `*`). */
function suggest(sub: string): string {
  return sub.replace(/<[^>]*>/g, "*");
}
