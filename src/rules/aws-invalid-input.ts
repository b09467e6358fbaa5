/**
 * aws-invalid-input: configure-aws-credentials input values that the action or AWS STS will reject
 * at run time (role ARN shape, session name, session length, region, number of managed session
 * policies), plus advice on the OIDC audience of China-region calls. Only literal values are judged,
 * after composite input substitution.
 *
 * Levels (docs/rules/aws-invalid-input.md, "Levels"): error when the value certainly fails the step
 * whenever it runs; warning when it fails only under a condition the files do not show (the
 * repository's default token setting, how long the job needs AWS); note for advice (a duration the
 * action reads differently than written but as meant; the China audience, which depends on what the
 * account's OIDC provider lists).
 */
import type { Level, Rule } from "./types.js";
import { idTokenFor, idTokenWithSetting, type DefaultTokenSetting } from "../graph/permissions.js";
import { effectiveInput } from "../graph/configure.js";
import { versionAtLeast } from "../knowledge/configure-aws-credentials.js";
import {
  configureSites,
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
    "Reports literal configure-aws-credentials inputs that fail at run time: role ARNs, session names, session durations, regions and managed session policy counts outside what AWS STS accepts; notes China-region OIDC calls on the default audience.",
  defaultLevel: "error",
  tags: ["correctness", "aws"],
  precision: "very-high",
  fixable: false,
  check(ctx) {
    const setting = ctx.settings.defaultTokenPermissions;
    for (const site of configureSites(ctx.graph)) {
      const report: Report = (input, text, level = "error") => {
        const where = valueLocation(site, input);
        ctx.report({ level, ...text, location: where.location, related: where.related });
      };
      const get = (name: string) => usable(site, name);
      // Session name, duration and session policies go to the AssumeRole call only: without a role
      // the action never sends them (v6.2.0+ checks the session name whatever).
      const assumes = assumesRole(site);
      checkRole(site, get("role-to-assume"), setting, report);
      const checksName = versionAtLeast(site.version, "v6.2.0") === true;
      if (assumes || checksName) checkSessionName(get("role-session-name"), checksName, report);
      if (assumes) checkDuration(get("role-duration-seconds"), get("role-chaining"), report);
      checkRegion(site, get("aws-region"), setting, report);
      if (assumes) checkManagedPolicies(get("managed-session-policies"), report);
    }
  },
};

interface Text {
  message: string;
  headline: string;
  why: string;
  hint: string;
  label: string;
}

type Report = (input: SiteInput, text: Text, level?: Level) => void;

/** The call assumes a role: `role-to-assume` (or, v4.2.0+, `ROLE_TO_ASSUME` in the environment) is not empty. */
function assumesRole(site: ConfigureSite): boolean {
  return (effectiveInput(site.node, site.call, "role-to-assume")?.text.trim() ?? "") !== "";
}

/** Whether the job's token carries `id-token: write`, with the configured default token setting applied. */
function idTokenState(site: ConfigureSite, setting: DefaultTokenSetting) {
  return site.node ? idTokenWithSetting(idTokenFor(site.node), setting).state : "unknown";
}

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

function checkRole(site: ConfigureSite, role: SiteInput | undefined, setting: DefaultTokenSetting, report: Report): void {
  if (!role || role.value === "" || ROLE_ARN.test(role.value!)) return;
  const value = role.value!;
  const web = usesWebIdentity(site);
  if (value.startsWith("arn:")) {
    report(role, {
      headline: `\`role-to-assume\` is not an IAM role ARN: ${arnProblem(value)}`,
      why: "AWS STS rejects a role ARN it cannot parse, so the step fails whichever way the action signs in.",
      hint: "Write the role's ARN as `arn:aws:iam::<12-digit account>:role/<path/name>`.",
      label: "not a role ARN",
      message: `\`role-to-assume: ${value}\` is not an IAM role ARN: ${arnProblem(value)}. Expected \`arn:aws:iam::<12-digit account>:role/<path/name>\` (or the \`aws-cn\` / \`aws-us-gov\` partition); STS rejects the call ("ValidationError: Request ARN is invalid")`,
    });
    return;
  }
  // A bare role name: the action prefixes the account of the *current* credentials, which a web
  // identity exchange does not have (src/assumeRole.ts).
  const how = web.tokenFile ? "`web-identity-token-file`" : web.oidc ? oidcWhenRuns(site, setting) : undefined;
  if (!how) return;
  const fix = `Use \`arn:aws:iam::<account-id>:role/${value}\``;
  report(role, {
    headline: `\`role-to-assume: ${value}\` is a role name, not an ARN: a web identity sign-in fails`,
    why: "With a web identity token the action has no current account to turn a role name into an ARN.",
    hint: `${fix}.`,
    label: "a role name, not an ARN",
    message: `\`role-to-assume: ${value}\` is a role name, not a full role ARN; with ${how} the action has no account to build the ARN from and fails with "Source Account ID is needed if the Role Name is provided and not the Role Arn." ${fix}`,
  });
}

/**
 * How the job certainly holds GitHub's OIDC token whenever the step runs, or undefined: its chain
 * grants `id-token: write`, or the job (or a called job above it) asks for it in its own
 * `permissions:`: then any run GitHub starts has the token, because a run whose callers do not
 * allow it is rejected before it starts (missing-id-token-permission reports that).
 */
function oidcWhenRuns(site: ConfigureSite, setting: DefaultTokenSetting): string | undefined {
  if (!site.node) return undefined;
  const v = idTokenWithSetting(idTokenFor(site.node), setting);
  // One wording for both, so a job reached standalone and through a caller gives one finding.
  if (v.state === "granted" || v.state === "default-decides" || (v.state === "missing" && v.requestedBy)) {
    return "GitHub's OIDC token (every run of the job has `id-token: write`)";
  }
  return undefined;
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

function checkSessionName(input: SiteInput | undefined, actionChecks: boolean, report: Report): void {
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
  report(input, {
    headline: `\`role-session-name\` ${problems[0]!.replace(/ \(.*\)$/, "")}: STS rejects it`,
    why: "AWS STS accepts only 2 to 64 characters of letters, digits and _+=,.@- as a session name.",
    hint: "Shorten the name or replace the characters STS does not allow (e.g. spaces with `-`).",
    label: "not a valid session name",
    message: actionChecks
      ? `\`role-session-name: ${value}\` ${problems.join(" and ")}; the action (v6.2.0+) checks it first and fails with "${
          value.length < 2 || value.length > 64
            ? `Role session name must be between 2 and 64 characters, got ${value.length}: '${value}'`
            : `Role session name is not valid: '${value}'. Must satisfy regular expression pattern: [\\w+=,.@-]*`
        }"`
      : `\`role-session-name: ${value}\` ${problems.join(" and ")}; STS rejects the call with "1 validation error detected: Value '${value}' at 'roleSessionName' failed to satisfy constraint: ${constraint}"`,
  });
}

function checkDuration(input: SiteInput | undefined, chaining: SiteInput | undefined, report: Report): void {
  if (!input || input.value === "") return;
  const text = input.value!;
  // The action reads it with Number.parseInt(x) || default: leading digits count, the rest is dropped.
  const integer = /^[-+]?\d+$/.test(text);
  const seconds = Number.parseInt(text, 10);
  if (Number.isNaN(seconds) || seconds === 0) {
    if (!integer) {
      report(
        input,
        {
          headline: `\`role-duration-seconds: ${text}\` is no number: the action uses its default session length`,
          why: "The action reads the value with parseInt, gets nothing, and silently falls back to its default (1 hour in v2+ with OIDC, in v3+ always).",
          hint: "Write the session length as a whole number of seconds.",
          label: "not a number of seconds",
          message:
            `\`role-duration-seconds: ${text}\` is not a whole number of seconds; the action reads it with parseInt, gets nothing, and silently uses its default session length (1 hour from v3, and in v2 with OIDC) instead. ` +
            "The credentials then expire earlier than written if a longer session was meant: the job fails only if it still needs AWS after the default session ends, which the files do not show. Write the length in seconds",
        },
        "warning",
      );
    }
    return; // `0` also means "the default" to the action
  }
  const limit = chained(chaining) ? CHAINED_MAX_DURATION : MAX_DURATION;
  if (!integer && seconds >= MIN_DURATION && seconds <= limit) {
    report(
      input,
      {
        headline: `\`role-duration-seconds: ${text}\` is read as ${seconds}`,
        why: "The action's parseInt keeps the leading digits and drops the rest, so the value works but is not what it looks like.",
        hint: `Write \`${seconds}\`.`,
        label: `read as ${seconds}`,
        message: `\`role-duration-seconds: ${text}\` is not a whole number of seconds; the action's parseInt reads it as ${seconds}, which works. Write \`${seconds}\``,
      },
      "note",
    );
    return;
  }
  const quote = integer ? `\`role-duration-seconds: ${text}\`` : `\`role-duration-seconds: ${text}\` (read by the action as ${seconds})`;
  const base = {
    why: "AWS STS rejects a session length outside 900 to 43200 seconds, and above 3600 seconds for a chained role session.",
    label: "outside what STS accepts",
  };
  if (seconds < MIN_DURATION) {
    report(input, {
      ...base,
      headline: `\`role-duration-seconds\` ${seconds} is below AWS's minimum of ${MIN_DURATION} seconds`,
      hint: `Use at least ${MIN_DURATION}.`,
      message: `${quote} is below AWS's minimum of ${MIN_DURATION} seconds; STS rejects the call with "Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_DURATION}"`,
    });
  } else if (seconds > MAX_DURATION) {
    report(input, {
      ...base,
      headline: `\`role-duration-seconds\` ${seconds} is above AWS's maximum of ${MAX_DURATION} seconds`,
      hint: `Use at most ${MAX_DURATION} (and at most the role's MaxSessionDuration).`,
      message: `${quote} is above AWS's maximum of ${MAX_DURATION} seconds (12 hours); STS rejects the call with "Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${MAX_DURATION}"`,
    });
  } else if (seconds > limit) {
    report(input, {
      ...base,
      headline: `\`role-duration-seconds\` ${seconds} with role chaining: a chained session lasts at most ${CHAINED_MAX_DURATION} seconds`,
      hint: `Use at most ${CHAINED_MAX_DURATION} with \`role-chaining: true\`.`,
      message: `${quote} with \`role-chaining: ${chaining!.value}\`: a session assumed by role chaining lasts at most ${CHAINED_MAX_DURATION} seconds; STS rejects the call with "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."`,
    });
  }
}

function chained(input: SiteInput | undefined): boolean {
  return (input?.value ?? "").toLowerCase() === "true";
}

function checkRegion(site: ConfigureSite, region: SiteInput | undefined, setting: DefaultTokenSetting, report: Report): void {
  if (!region || region.value === "") return;
  const value = region.value!;
  if (!REGION.test(value)) {
    report(region, {
      headline: `\`aws-region: ${value}\` is not a region name: the action rejects it`,
      why: "The action checks the region against ^[a-z0-9-]+$ before anything else and fails the step.",
      hint: "Write the region in lower case, e.g. `us-east-1`.",
      label: "not a region name",
      message: `\`aws-region: ${value}\` is not a region name (lower-case letters, digits and \`-\`, e.g. \`us-east-1\`); the action fails with "Region is not valid: ${value}"`,
    });
    return;
  }
  if (!value.startsWith("cn-")) return;
  // Advice only: the audience must be one the account's IAM OIDC provider lists. AWS documents
  // `sts.amazonaws.com.cn` for China, but providers created with `sts.amazonaws.com` accept the
  // default (real China-region pipelines run that way). A written audience is the user's choice.
  if (!usesWebIdentity(site).oidc || idTokenState(site, setting) === "missing") return;
  if (siteInput(site, "audience")) return;
  report(
    region,
    {
      headline: `China region \`${value}\` with the default OIDC audience \`sts.amazonaws.com\``,
      why: "The token's audience must be a client ID of the China account's OIDC provider; AWS documents `sts.amazonaws.com.cn` there, but a provider created with `sts.amazonaws.com` accepts the default.",
      hint: `If the exchange fails with "Incorrect token audience", set \`audience: ${CHINA_AUDIENCE}\` and list it in the provider.`,
      label: "default audience in a China region",
      message:
        `\`aws-region: ${value}\` is a China region and the OIDC token is requested for the default audience \`sts.amazonaws.com\`. ` +
        `That works when the China account's IAM OIDC provider lists \`sts.amazonaws.com\` as a client ID; AWS's documentation for China regions uses \`${CHINA_AUDIENCE}\`. ` +
        `If the exchange fails with "Incorrect token audience", set \`audience: ${CHINA_AUDIENCE}\` (and list it in the provider)`,
    },
    "note",
  );
}

function checkManagedPolicies(input: SiteInput | undefined, report: Report): void {
  if (!input) return;
  // core.getMultilineInput: split on newlines, drop empty lines.
  const arns = input.value!.split("\n").filter((l) => l !== "");
  if (arns.length <= MAX_MANAGED_POLICIES) return;
  report(input, {
    headline: `\`managed-session-policies\` lists ${arns.length} policies: AWS accepts at most ${MAX_MANAGED_POLICIES}`,
    why: `AWS STS accepts at most ${MAX_MANAGED_POLICIES} managed session policies per call.`,
    hint: "Merge policies or move permissions into the role itself.",
    label: `${arns.length} policies`,
    message: `\`managed-session-policies\` lists ${arns.length} policy ARNs; AWS accepts at most ${MAX_MANAGED_POLICIES} managed session policies and STS rejects the call with "Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_MANAGED_POLICIES}"`,
  });
}
