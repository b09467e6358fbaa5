/**
 * aws-invalid-input: configure-aws-credentials input values that the action or AWS STS will reject
 * at run time (role ARN shape, session name, session length, region, China audience, number of
 * managed session policies). Only literal values are judged, after composite input substitution.
 */
import type { Level, Rule } from "./types.js";
import {
  configureSites,
  idTokenPermission,
  siteInput,
  usesWebIdentity,
  valueLocation,
  type ConfigureSite,
  type SiteInput,
} from "./support/configure-sites.js";

/** Partitions of IAM role ARNs. The isolated (ISO) and EU sovereign partitions are accepted so their users get no false alarm. */
const PARTITION = "aws|aws-cn|aws-us-gov|aws-iso(?:-[a-z])?|aws-eusc";
const ROLE_ARN = new RegExp(`^arn:(?:${PARTITION}):iam::\\d{12}:role\\/(?:[\\w+=,.@-]+\\/)*[\\w+=,.@-]+$`);
const SESSION_NAME = /^[\w+=,.@-]+$/;
const REGION = /^[a-z0-9-]+$/;
const MIN_DURATION = 900;
const MAX_DURATION = 43200;
const CHAINED_MAX_DURATION = 3600;
const MAX_MANAGED_POLICIES = 10;
const CHINA_AUDIENCE = "sts.amazonaws.com.cn";

export const awsInvalidInput: Rule = {
  id: "aws-invalid-input",
  title: "configure-aws-credentials input AWS or the action rejects",
  description:
    "Reports literal configure-aws-credentials inputs that fail at run time: role ARNs, session names, session durations, regions, China-region audiences and managed session policy counts outside what AWS STS accepts.",
  defaultLevel: "error",
  tags: ["correctness", "aws"],
  precision: "very-high",
  fixable: false,
  check(ctx) {
    for (const site of configureSites(ctx.graph)) {
      const report = (input: SiteInput, message: string, level: Level = "error") => {
        const where = valueLocation(site, input);
        ctx.report({ level, message, location: where.location, related: where.related });
      };
      const get = (name: string) => usable(site, name);
      checkRole(site, get("role-to-assume"), report);
      checkSessionName(get("role-session-name"), report);
      checkDuration(get("role-duration-seconds"), get("role-chaining"), report);
      checkRegion(site, get("aws-region"), report);
      checkManagedPolicies(get("managed-session-policies"), report);
    }
  },
};

type Report = (input: SiteInput, message: string, level?: Level) => void;

/**
 * The input when its value is literal and the resolved version reads it. An input the version does
 * not declare is ignored by the action (aws-unknown-input reports it); unknown versions are judged
 * on AWS's limits alone.
 */
function usable(site: ConfigureSite, name: string): SiteInput | undefined {
  const input = siteInput(site, name);
  if (!input || input.value === undefined) return undefined;
  const declared = site.version.inputs;
  if (declared && ![...declared].some((d) => d.toLowerCase() === name)) return undefined;
  return input;
}

function checkRole(site: ConfigureSite, role: SiteInput | undefined, report: Report): void {
  if (!role || role.value === "" || ROLE_ARN.test(role.value!)) return;
  const value = role.value!;
  const web = usesWebIdentity(site);
  const oidc = web.oidc && site.node !== undefined && idTokenPermission(site.node) === "write";
  if (value.startsWith("arn:")) {
    report(
      role,
      `\`role-to-assume: ${value}\` is not an IAM role ARN: ${arnProblem(value)}. Expected \`arn:aws:iam::<12-digit account>:role/<path/name>\` (or the \`aws-cn\` / \`aws-us-gov\` partition); STS rejects the call ("ValidationError: Request ARN is invalid")`,
    );
    return;
  }
  // A bare role name: the action prefixes the account of the *current* credentials, which a web
  // identity exchange does not have (src/assumeRole.ts).
  if (oidc || web.tokenFile) {
    const how = web.tokenFile ? "`web-identity-token-file`" : "GitHub's OIDC token (the job grants `id-token: write`)";
    report(
      role,
      `\`role-to-assume: ${value}\` is a role name, not a full role ARN; with ${how} the action has no account to build the ARN from and fails with "Source Account ID is needed if the Role Name is provided and not the Role Arn." Use \`arn:aws:iam::<account-id>:role/${value}\``,
    );
  }
}

/** The first thing wrong with an `arn:` value that is not a role ARN, for the message. */
function arnProblem(value: string): string {
  const [, partition = "", service = "", region = "", account = "", ...rest] = value.split(":");
  const resource = rest.join(":");
  if (!new RegExp(`^(?:${PARTITION})$`).test(partition)) return `\`${partition}\` is not an AWS partition`;
  if (service === "sts" && resource.startsWith("assumed-role/")) return "it names an assumed-role session (what `aws sts get-caller-identity` prints), not the role";
  if (service !== "iam") return `the service is \`${service}\`, not \`iam\``;
  if (region !== "") return `IAM ARNs have no region, but this one has \`${region}\``;
  if (!/^\d{12}$/.test(account)) return `the account \`${account}\` is not 12 digits`;
  if (!resource.startsWith("role/")) return `the resource \`${resource}\` is not \`role/…\``;
  return `the role name \`${resource.slice(5)}\` is empty or has characters IAM does not allow`;
}

function checkSessionName(input: SiteInput | undefined, report: Report): void {
  if (!input || input.value === "") return; // empty: the action uses its default, GitHubActions
  const value = input.value!;
  const problems: string[] = [];
  let constraint: string | undefined;
  if (value.length < 2 || value.length > 64) {
    problems.push(`is ${value.length} character${value.length === 1 ? "" : "s"} long (2 to 64 allowed)`);
    constraint = `Member must have length ${value.length < 2 ? "greater than or equal to 2" : "less than or equal to 64"}`;
  }
  const bad = [...new Set([...value].filter((c) => !SESSION_NAME.test(c)))];
  if (bad.length) {
    problems.push(`contains ${bad.map((c) => (c === " " ? "a space" : `\`${c}\``)).join(", ")} (allowed: letters, digits and _+=,.@-)`);
    constraint ??= "Member must satisfy regular expression pattern: [\\w+=,.@-]*";
  }
  if (!constraint) return;
  report(
    input,
    `\`role-session-name: ${value}\` ${problems.join(" and ")}; STS rejects the call with "1 validation error detected: Value '${value}' at 'roleSessionName' failed to satisfy constraint: ${constraint}"`,
  );
}

function checkDuration(input: SiteInput | undefined, chaining: SiteInput | undefined, report: Report): void {
  if (!input || input.value === "") return;
  const text = input.value!;
  // The action reads it with Number.parseInt(x) || default: leading digits count, the rest is dropped.
  const integer = /^[-+]?\d+$/.test(text);
  const seconds = Number.parseInt(text, 10);
  if (Number.isNaN(seconds) || seconds === 0) {
    if (!integer) {
      report(input, `\`role-duration-seconds: ${text}\` is not a whole number of seconds; the action reads it with parseInt, gets nothing, and silently uses its default session length instead`, "warning");
    }
    return; // `0` also means "the default" to the action
  }
  const limit = chained(chaining) ? CHAINED_MAX_DURATION : MAX_DURATION;
  if (!integer && seconds >= MIN_DURATION && seconds <= limit) {
    report(input, `\`role-duration-seconds: ${text}\` is not a whole number of seconds; the action's parseInt reads it as ${seconds}. Write \`${seconds}\``, "warning");
    return;
  }
  const quote = integer ? `\`role-duration-seconds: ${text}\`` : `\`role-duration-seconds: ${text}\` (read by the action as ${seconds})`;
  if (seconds < MIN_DURATION) {
    report(input, `${quote} is below AWS's minimum of ${MIN_DURATION} seconds; STS rejects the call with "Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_DURATION}"`);
  } else if (seconds > MAX_DURATION) {
    report(input, `${quote} is above AWS's maximum of ${MAX_DURATION} seconds (12 hours); STS rejects the call with "Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${MAX_DURATION}"`);
  } else if (seconds > limit) {
    report(
      input,
      `${quote} with \`role-chaining: ${chaining!.value}\`: a session assumed by role chaining lasts at most ${CHAINED_MAX_DURATION} seconds; STS rejects the call with "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."`,
    );
  }
}

function chained(input: SiteInput | undefined): boolean {
  return (input?.value ?? "").toLowerCase() === "true";
}

function checkRegion(site: ConfigureSite, region: SiteInput | undefined, report: Report): void {
  if (!region || region.value === "") return;
  const value = region.value!;
  if (!REGION.test(value)) {
    report(region, `\`aws-region: ${value}\` is not a region name (lower-case letters, digits and \`-\`, e.g. \`us-east-1\`); the action fails with "Region is not valid: ${value}"`);
    return;
  }
  if (!value.startsWith("cn-")) return;
  const web = usesWebIdentity(site);
  if (!web.oidc || !site.node || idTokenPermission(site.node) !== "write") return;
  const aud = siteInput(site, "audience");
  if (aud && aud.value === undefined) return; // an expression decides
  const current = aud?.value || "sts.amazonaws.com";
  if (current === CHINA_AUDIENCE) return;
  report(
    aud ?? region,
    `\`aws-region: ${value}\` is a China region, but the OIDC token is requested for the audience \`${current}\`${aud?.value ? "" : " (the default)"}; STS in the aws-cn partition only accepts \`audience: ${CHINA_AUDIENCE}\`, and the exchange fails with "Incorrect token audience". Set \`audience: ${CHINA_AUDIENCE}\` (the China account's identity provider must list it as a client ID too)`,
  );
}

function checkManagedPolicies(input: SiteInput | undefined, report: Report): void {
  if (!input) return;
  // core.getMultilineInput: split on newlines, drop empty lines.
  const arns = input.value!.split("\n").filter((l) => l !== "");
  if (arns.length <= MAX_MANAGED_POLICIES) return;
  report(
    input,
    `\`managed-session-policies\` lists ${arns.length} policy ARNs; AWS accepts at most ${MAX_MANAGED_POLICIES} managed session policies and STS rejects the call with "Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_MANAGED_POLICIES}"`,
  );
}
