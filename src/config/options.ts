/**
 * A rule's options as `ctx.options` receives them: each option's default from the rule's metadata
 * (`meta.options`), then the values given — the configuration file, then command-line flags, merged
 * by the caller. Every given value is checked with ajv against the option's schema in the metadata,
 * the same schema `.credflow.yml` is validated against (schema/credflow.schema.json is generated from
 * it), so the file's errors come with their line and column before a run starts, and anything else
 * (a flag, a caller of the API) is refused here.
 */
import type { ValidateFunction } from "ajv";
import type { RuleMeta, RuleOption } from "../rules/types.js";
import { valueProblem } from "./messages.js";
import { newAjv } from "./schema.js";

const validators = new WeakMap<RuleOption, ValidateFunction>();
let ajv: ReturnType<typeof newAjv> | undefined;

function validatorOf(option: RuleOption): ValidateFunction {
  let v = validators.get(option);
  if (v === undefined) {
    ajv ??= newAjv();
    v = ajv.compile(option.schema);
    validators.set(option, v);
  }
  return v;
}

/**
 * What is wrong with a value for `rule`'s option `name`, as `<where>: …` (`where` names it for the
 * user, e.g. `--min-runner-version`); undefined when the value is valid.
 */
export function optionProblem(rule: RuleMeta, name: string, value: unknown, where = `rules.${rule.id}.${name}`): string | undefined {
  const option = rule.options && Object.hasOwn(rule.options, name) ? rule.options[name] : undefined;
  if (!option) {
    const known = Object.keys(rule.options ?? {});
    return `${where}: unknown option of ${rule.id}${known.length > 0 ? ` (known: ${known.join(", ")})` : " (it has none)"}`;
  }
  const validate = validatorOf(option);
  if (validate(value)) return undefined;
  const e = (validate.errors ?? [])[0];
  return e ? valueProblem(where, e, option.schema) : `${where}: invalid value`;
}

/** Defaults, then `given`; throws an Error naming every invalid or unknown option. */
export function resolveRuleOptions(rule: RuleMeta, given: Record<string, unknown> = {}): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(rule.options ?? {})) {
    if (option.default !== undefined) options[name] = option.default;
  }
  const problems: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const problem = optionProblem(rule, name, value);
    if (problem) problems.push(problem);
    else options[name] = value;
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  return options;
}
