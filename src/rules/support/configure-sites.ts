/**
 * Every configure-aws-credentials call a rule should look at, with its `with:` inputs as the action
 * receives them, and where each value was written (through composite inputs and reusable-workflow
 * inputs), so findings point at the text a user must change.
 *
 * Typical use:
 *   for (const site of configureSites(ctx.graph)) {
 *     const role = siteInput(site, "role-to-assume");
 *     if (role?.value !== undefined && bad(role.value)) push(valueLocation(site, role));
 *   }
 */
import { idTokenFor, idTokenWithSetting, type DefaultTokenSetting } from "../../graph/permissions.js";
import { allJobNodes } from "../../graph/build-graph.js";
import { unreachedConfigureCalls } from "../../graph/configure.js";
import type { ConfigureCall, ConfigureInput, JobNode, ProjectGraph, TimelineStep } from "../../graph/types.js";
import type { ConfigureVersion } from "../../knowledge/configure-aws-credentials.js";
import type { Location, RelatedLocation } from "../types.js";
import { shortRef } from "../../knowledge/version.js";

/** One configure-aws-credentials step as it runs in one job (a composite reached twice gives two sites). */
export interface ConfigureSite {
  /**
   * The job whose timeline holds the call. Undefined for a configure step inside an action.yml that
   * no linted workflow reaches (an action linted on its own): its `${{ inputs.* }}` stay
   * unresolved, and its `ts` is synthetic (index -1, no chain).
   */
  node?: JobNode;
  ts: TimelineStep;
  call: ConfigureCall;
  version: ConfigureVersion;
}

/** One `with:` input of a configure call (see the graph's ConfigureInput). */
export type SiteInput = ConfigureInput;

// ---------- iteration ----------

const sitesCache = new WeakMap<ProjectGraph, ConfigureSite[]>();

/** Every configure call that may run in every job timeline, plus configure steps of action files no job reaches. */
export function configureSites(graph: ProjectGraph): ConfigureSite[] {
  let out = sitesCache.get(graph);
  if (out) return out;
  out = [];
  const reached = new Set<string>();
  for (const node of allJobNodes(graph)) {
    for (const call of [...node.configureCalls, ...node.skippedConfigureCalls]) reached.add(`${call.step.file.path}\0${call.step.step.range.start.offset}`);
    for (const call of node.configureCalls) out.push({ node, ts: call.step, call, version: call.version });
  }
  for (const call of unreachedConfigureCalls(graph, reached)) out.push({ ts: call.step, call, version: call.version });
  sitesCache.set(graph, out);
  return out;
}

/**
 * The `with:` input `name` of the call, matched case-insensitively: the runner validates and
 * passes inputs ignoring case (`INPUT_ROLE-TO-ASSUME` either way). Last entry wins on duplicates.
 */
export function siteInput(site: ConfigureSite, name: string): SiteInput | undefined {
  return site.call.inputs.get(name.toLowerCase());
}

/** All `with:` inputs of the call, in source order (one per name). */
export function siteInputs(site: ConfigureSite): SiteInput[] {
  return [...site.call.inputs.values()].sort((a, b) => a.entry.range.start.offset - b.entry.range.start.offset);
}

// ---------- locations ----------

/** Where a finding about an input's key belongs: the key in the file holding the step. */
export function keyLocation(site: ConfigureSite, input: SiteInput): Location {
  return { path: site.ts.file.path, range: input.entry.keyRange };
}

/**
 * Where a finding about an input's value belongs: the literal the user wrote. When that literal was
 * passed in through `${{ inputs.x }}`, the finding sits on the call site's `with:` entry and the
 * configure step's own entry becomes a related location (and the other way round when the origin
 * cannot be told, e.g. `arn:aws:iam::${{ inputs.account }}:role/x`).
 */
export function valueLocation(site: ConfigureSite, input: SiteInput): { location: Location; related: RelatedLocation[] } {
  const inner: Location = { path: site.ts.file.path, range: input.entry.value?.range ?? input.entry.range };
  const origin = input.origin;
  if (origin?.kind === "step") return { location: inner, related: [] };
  const innerText = input.entry.value?.value.trim() ?? "";
  if (origin) {
    const what = origin.kind === "default" ? "the default of this input" : "this value";
    return {
      location: { path: origin.file.path, range: origin.range },
      related: [{ ...inner, message: `${what} reaches \`${input.key}\` of configure-aws-credentials here as \`${innerText}\`` }],
    };
  }
  const related: RelatedLocation[] = [];
  const top = site.ts.chain[0];
  if (top?.step.uses) {
    related.push({ path: top.file.path, range: top.step.uses.node.range, message: `the job reaches this step through \`${top.step.uses.node.value}\`` });
  } else if (site.node?.caller?.job.uses) {
    const c = site.node.caller;
    related.push({ path: c.workflow.file.path, range: c.job.uses!.node.range, message: `inputs come from job \`${c.job.id}\` calling this workflow` });
  }
  return { location: inner, related };
}

/** True when the value came through a composite or reusable-workflow input (the step's own text is an expression). */
export function isSubstituted(input: SiteInput): boolean {
  return input.origin?.kind !== "step";
}

// ---------- facts about the call ----------

/**
 * Whether the call authenticates with a web identity (GitHub's OIDC token, or
 * `web-identity-token-file`): `role-to-assume` set and no access key id and no `role-chaining`.
 * Mirrors the action's own test (src/index.ts `useGitHubOIDCProvider`), reading inputs
 * case-insensitively and after substitution, and leaves the id-token permission to the caller.
 */
export function usesWebIdentity(site: ConfigureSite): { oidc: boolean; tokenFile: boolean } {
  return { oidc: site.call.oidc, tokenFile: site.call.tokenFile };
}

/**
 * Whether the job's token may request an OIDC id-token: "write", "none", or "unknown" (an
 * expression, a reusable workflow linted without a caller, or a called job asking for
 * `id-token: write` under callers that declare nothing while the repository's default token
 * setting is not known). A job-level block replaces the workflow-level one; with neither the
 * repository default applies, which never includes `id-token`; a called reusable workflow gets at
 * most what its caller job grants. Give `setting` (ctx.settings.defaultTokenPermissions) to decide
 * the callers-declare-nothing case.
 */
export function idTokenPermission(node: JobNode | undefined, setting?: DefaultTokenSetting): "write" | "none" | "unknown" {
  if (!node) return "unknown";
  // One definition of the effective grant, shared with missing-id-token-permission.
  const verdict = idTokenWithSetting(idTokenFor(node), setting);
  return verdict.state === "granted" ? "write" : verdict.state === "missing" ? "none" : "unknown";
}

/** "v2.2.0 (`@v2`)", "v4.3.1 (`@7474bc4690e2`)", or "`@ref`" when the code is not a release. */
export function describeVersion(v: ConfigureVersion): string {
  const ref = shortRef(v.ref);
  if (!v.tag) return `\`@${ref}\``;
  return v.tag === ref ? v.tag : `${v.tag} (\`@${ref}\`)`;
}
