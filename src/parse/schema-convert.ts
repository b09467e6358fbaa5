/**
 * The checks workflow-parser makes while converting a template into its model
 * (convertWorkflowTemplate / convertActionTemplate): event filters, cron, dispatch and call inputs,
 * job ids and `needs` cycles, concurrency, containers and services, runs-on groups, step ids and
 * `if` conditions. Ported from @actions/workflow-parser 0.3.61 over the light tokens of
 * schema-reader.ts, with the same messages, positions and the same early exits (an assertion failure
 * ends the enclosing conversion, as a thrown TemplateTokenError does there). `lenient` applies the
 * classes listed in LENIENCY (schema.ts).
 */
import { Lexer, Parser } from "@actions/expressions";
import { Binary, FunctionCall, Grouping, IndexAccess, Logical, Unary, type Expr } from "@actions/expressions/ast";
import { expressionError, T, Tok, typeName, type RawError } from "./schema-reader.js";

class TokErr extends Error {
  constructor(
    message: string,
    readonly tok: Tok,
  ) {
    super(message);
  }
}

function assertType(tok: Tok, t: T, desc: string): Tok {
  if (tok.t === t) return tok;
  throw new TokErr(`Unexpected type '${typeName(tok.t)}' encountered while reading '${desc}'. The type '${typeName(t)}' was expected.`, tok);
}
const assertString = (tok: Tok, desc: string) => assertType(tok, T.String, desc);
const assertMapping = (tok: Tok, desc: string) => assertType(tok, T.Mapping, desc);
const assertSequence = (tok: Tok, desc: string) => assertType(tok, T.Sequence, desc);
const assertBoolean = (tok: Tok, desc: string) => assertType(tok, T.Boolean, desc);
function assertScalar(tok: Tok, desc: string): Tok {
  if (tok.isScalar) return tok;
  throw new TokErr(`Unexpected type '${typeName(tok.t)}' encountered while reading '${desc}'. The type 'ScalarToken' was expected.`, tok);
}
const isString = (tok: Tok) => tok.t === T.String;

const NO_PAIRS: Array<[Tok, Tok]> = [];

/** The key/value pairs of a mapping token (none for other tokens). */
function pairs(tok: Tok): Array<[Tok, Tok]> {
  const keys = tok.keys;
  if (!keys || keys.length === 0) return NO_PAIRS;
  const vals = tok.vals!;
  const out = new Array<[Tok, Tok]>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = [keys[i]!, vals[i]!];
  return out;
}

/** Thrown by the action converter where workflow-parser's throws out of convertActionTemplate. */
export class ConversionStopped extends Error {}

export class Converter {
  constructor(
    private readonly report: (err: RawError) => void,
    private readonly lenient: boolean,
  ) {}

  private error(tok: Tok | undefined, message: string, level?: "warning"): void {
    this.report({ message, s: tok?.s, e: tok?.e, stage: "convert", level });
  }

  /** handleTemplateTokenErrors: a failed assertion is reported at its token, anything else at `at`. */
  private handle<R>(at: Tok, f: () => R): R | undefined {
    try {
      return f();
    } catch (err) {
      if (err instanceof TokErr) this.error(err.tok, err.message);
      else this.error(at, err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  workflow(root: Tok): void {
    try {
      const rootMapping = assertMapping(root, "root");
      for (const [k, v] of pairs(rootMapping)) {
        const key = assertString(k, "root key");
        switch (key.v) {
          case "on":
            this.handle(root, () => this.on(v));
            break;
          case "jobs":
            this.handle(root, () => this.jobs(v));
            break;
          case "concurrency":
            this.handle(root, () => this.concurrency(v));
            break;
        }
      }
    } catch (err) {
      if (err instanceof TokErr) this.error(err.tok, err.message);
      else this.error(root, err instanceof Error ? err.message : String(err));
    }
  }

  private on(token: Tok): void {
    if (token.isLiteral) {
      assertString(token, "on");
      return;
    }
    if (token.t === T.Sequence) {
      for (const item of token.items!) assertString(item, "on");
      return;
    }
    if (token.t === T.Mapping) {
      for (const [k, v] of pairs(token)) {
        const eventName = assertString(k, "event name").v as string;
        if (v.t === T.Null) continue;
        if (eventName === "schedule") {
          this.schedule(assertSequence(v, `event ${eventName}`));
          continue;
        }
        const eventToken = assertMapping(v, `event ${eventName}`);
        if (eventName === "workflow_call") {
          this.workflowCall(eventToken);
          continue;
        }
        if (eventName === "workflow_dispatch") {
          this.workflowDispatch(eventToken);
          continue;
        }
        this.patternFilter("branches", eventToken);
        this.patternFilter("tags", eventToken);
        this.patternFilter("paths", eventToken);
        for (const name of ["types", "versions", "names", "workflows"]) this.filter(name, eventToken);
      }
      return;
    }
    this.error(token, "Invalid format for 'on'");
  }

  private patternFilter(name: string, token: Tok): void {
    for (const [k, v] of pairs(token)) {
      const key = assertString(k, `${name} filter key`).v;
      if (key === name || key === `${name}-ignore`) {
        if (!isString(v)) this.stringList(key, assertSequence(v, `${key} list`));
      }
    }
  }

  private filter(name: string, token: Tok): void {
    for (const [k, v] of pairs(token)) {
      const key = assertString(k, `${name} filter key`).v;
      if (key === name && !isString(v)) this.stringList(name, assertSequence(v, `${name} list`));
    }
  }

  private stringList(name: string, token: Tok): void {
    for (const item of token.items!) assertString(item, `${name} item`);
  }

  private schedule(token: Tok): void {
    for (const item of token.items!) {
      const mapping = assertMapping(item, "event schedule");
      let cronValue = "";
      let valid = true;
      for (const [k, v] of pairs(mapping)) {
        const key = assertString(k, "schedule key");
        if (key.v === "cron") {
          const cron = assertString(v, "schedule cron");
          if (!isValidCron(cron.v as string, this.lenient)) {
            this.error(cron, "Invalid cron expression. Expected format: '* * * * *' (minute hour day month weekday)");
          }
          cronValue = cron.v as string;
        } else if (key.v === "timezone") {
          assertString(v, "schedule timezone");
        } else {
          this.error(key, "Invalid schedule key");
          valid = false;
        }
      }
      if (valid && !cronValue) this.error(mapping, "Missing required key 'cron' in schedule entry");
    }
  }

  private workflowDispatch(token: Tok): void {
    for (const [k, v] of pairs(token)) {
      const key = assertString(k, "workflow dispatch input key");
      if (key.v !== "inputs") continue;
      for (const [ik, iv] of pairs(assertMapping(v, "workflow dispatch inputs"))) {
        assertString(ik, "input name");
        this.input(assertMapping(iv, "input configuration"), false);
      }
    }
  }

  private workflowCall(token: Tok): void {
    for (const [k, v] of pairs(token)) {
      const key = assertString(k, "workflow dispatch input key");
      if (key.v === "inputs") {
        for (const [ik, iv] of pairs(assertMapping(v, "workflow dispatch inputs"))) {
          assertString(ik, "input name");
          this.input(assertMapping(iv, "input configuration"), true);
        }
      } else if (key.v === "secrets") {
        for (const [sk, sv] of pairs(assertMapping(v, "workflow dispatch inputs"))) {
          assertString(sk, "secret name");
          if (sv.t !== T.Mapping) continue;
          for (const [pk, pv] of pairs(sv)) {
            const p = assertString(pk, "workflow call secret key").v;
            if (p === "description") assertString(pv, "secret description");
            else if (p === "required") assertBoolean(pv, "secret required");
          }
        }
      }
    }
  }

  /** convertWorkflowDispatchInput / convertWorkflowInput. */
  private input(token: Tok, call: boolean): void {
    let type: string | undefined = "string";
    let defaultValue: Tok | undefined;
    let options: number | undefined;
    for (const [k, v] of pairs(token)) {
      const key = assertString(k, "workflow dispatch input key").v as string;
      switch (key) {
        case "description":
          assertString(v, "input description");
          break;
        case "required":
          assertBoolean(v, "input required");
          break;
        case "default":
          defaultValue = assertScalar(v, "input default");
          break;
        case "type": {
          const t = assertString(v, "input type").v as string;
          type = ["string", "choice", "boolean", "environment"].includes(t) ? t : undefined;
          break;
        }
        case "options": {
          const seq = assertSequence(v, "input options");
          this.stringList("input options", seq);
          options = seq.items!.length;
          break;
        }
        default:
          this.error(k, `Invalid key '${key}'`);
      }
    }
    if (defaultValue !== undefined && !(call && defaultValue.isExpression)) {
      try {
        if (type === "boolean") {
          if (this.lenient && !call && defaultValue.t === T.String) {
            // A quoted default on a boolean input: "true"/"false" are accepted (LENIENCY).
            const v = (defaultValue.v as string).toLowerCase();
            if (v !== "true" && v !== "false") {
              this.error(defaultValue, `default '${defaultValue.v as string}' of a boolean input is neither true nor false`, "warning");
            }
          } else assertBoolean(defaultValue, "input default");
        } else if (type === "string" || type === "choice" || type === "environment") {
          // GitHub takes a boolean or number default as its text (LENIENCY: untyped dispatch inputs,
          // and intel/llvm's reusable sycl-linux-run-tests.yml runs with `type: string`, `default: 1`).
          const scalarDefault = this.lenient && (defaultValue.t === T.Boolean || defaultValue.t === T.Number);
          if (!scalarDefault) assertString(defaultValue, "input default");
        }
      } catch (e) {
        if (e instanceof TokErr) this.error(defaultValue, e.message);
        else throw e;
      }
    }
    if (type === "choice") {
      if (options === undefined || options === 0) this.error(token, "Missing 'options' for choice input");
    } else if (options !== undefined) {
      this.error(token, "Input type is not 'choice', but 'options' is defined");
    }
  }

  private jobs(token: Tok): void {
    if (token.t !== T.Mapping) {
      this.error(token, "Invalid format for jobs");
      return;
    }
    const ids: string[] = [];
    const satisfied: Array<{ name: string; needs: Tok[] }> = [];
    const unsatisfied: Array<{ name: string; needs: Tok[] }> = [];
    for (const [k, v] of pairs(token)) {
      const jobKey = assertString(k, "job name");
      const jobDef = assertMapping(v, `job ${jobKey.v as string}`);
      let job = this.handle(token, () => this.job(jobKey, jobDef));
      // A job whose conversion stopped still exists: without it, every job needing it would be
      // reported as depending on an unknown job (LENIENCY: follow-on needs errors).
      if (!job && this.lenient) job = { id: jobKey.v as string, needs: literalNeeds(jobDef) };
      if (!job) continue;
      ids.push(job.id);
      const node = { name: job.id, needs: [...job.needs] };
      if (node.needs.length > 0) unsatisfied.push(node);
      else satisfied.push(node);
    }
    this.validateNeeds(token, ids, satisfied, unsatisfied);
  }

  private validateNeeds(
    token: Tok,
    ids: string[],
    satisfied: Array<{ name: string; needs: Tok[] }>,
    unsatisfied: Array<{ name: string; needs: Tok[] }>,
  ): void {
    if (satisfied.length === 0) {
      this.error(token, "The workflow must contain at least one job with no dependencies.");
      return;
    }
    while (satisfied.length > 0) {
      const current = satisfied.shift()!;
      for (let i = unsatisfied.length - 1; i >= 0; i--) {
        const job = unsatisfied[i]!;
        for (let j = job.needs.length - 1; j >= 0; j--) {
          if (job.needs[j]!.v == current.name) {
            job.needs.splice(j, 1);
            if (job.needs.length === 0) {
              satisfied.push(job);
              unsatisfied.splice(i, 1);
            }
          }
        }
      }
    }
    for (const job of unsatisfied) {
      for (const need of job.needs) {
        if (ids.includes(need.v as string)) this.error(need, `Job '${job.name}' depends on job '${need.v as string}' which creates a cycle in the dependency graph.`);
        else this.error(need, `Job '${job.name}' depends on unknown job '${need.v as string}'.`);
      }
    }
  }

  private job(jobKey: Tok, token: Tok): { id: string; needs: Tok[] } {
    const idError = tryAddKnownId(new Set(), jobKey.v as string);
    if (idError) this.error(jobKey, idError);
    let needs: Tok[] | undefined;
    let uses = false;
    for (const [k, v] of pairs(token)) {
      const name = assertString(k, "job property name").v;
      switch (name) {
        case "concurrency":
          this.handle(v, () => this.concurrency(v));
          break;
        case "container":
          this.container(v, false);
          break;
        case "env":
          // A whole-env expression (`env: ${{ matrix.env }}`) runs on github.com (LENIENCY).
          if (!(this.lenient && v.t === T.BasicExpression)) this.handle(v, () => assertMapping(v, "job env"));
          break;
        case "environment":
          this.handle(v, () => this.environment(v));
          break;
        case "if":
          this.ifCondition(v);
          break;
        case "name":
          assertScalar(v, "job name");
          break;
        case "needs":
          needs = [];
          if (isString(v)) needs.push(assertString(v, "job needs id"));
          if (v.t === T.Sequence) for (const item of v.items!) needs.push(assertString(item, "job needs id"));
          break;
        case "outputs":
          this.handle(v, () => assertMapping(v, "job outputs"));
          break;
        case "runs-on":
          this.handle(v, () => this.runsOn(v));
          break;
        case "services":
          // `services: ${{ fromJSON(...) }}` runs on github.com (LENIENCY; rhysd/actionlint#402).
          if (this.lenient && v.t === T.BasicExpression) break;
          for (const [sk, sv] of pairs(assertMapping(v, "services"))) {
            assertString(sk, "service key");
            this.container(sv, true);
          }
          break;
        case "steps":
          this.steps(v);
          break;
        case "uses":
          assertString(v, "job uses value");
          uses = true;
          break;
        case "with":
          this.handle(v, () => assertMapping(v, "uses-with value"));
          break;
        case "secrets":
          if (!(isString(v) && v.v === "inherit")) this.handle(v, () => assertMapping(v, "uses-secrets value"));
          break;
      }
    }
    // A reusable-workflow job (`uses`) and a job without `needs` both start with no dependencies.
    void uses;
    return { id: jobKey.v as string, needs: needs ?? [] };
  }

  private concurrency(token: Tok): void {
    if (token.isExpression || isString(token)) return;
    for (const [k, v] of pairs(assertMapping(token, "concurrency group"))) {
      const name = assertString(k, "concurrency group key");
      if (k.isExpression || v.isExpression) continue;
      switch (name.v) {
        case "group":
          assertString(v, "concurrency group");
          break;
        case "cancel-in-progress":
          assertBoolean(v, "cancel-in-progress");
          break;
        case "queue":
          assertString(v, "queue");
          break;
        default:
          this.error(name, `Invalid property name: ${name.v as string}`);
      }
    }
  }

  /** convertToJobContainer / convertToServiceContainer. */
  private container(container: Tok, service: boolean): void {
    if (anyExpression(container)) return;
    if (isString(container)) return;
    const mapping = assertMapping(container, "container item");
    let image = false;
    for (const [k, value] of pairs(mapping)) {
      const key = assertString(k, "container item key");
      switch (key.v) {
        case "image":
          assertString(value, "container image");
          image = true;
          break;
        case "credentials":
          this.credentials(value);
          break;
        case "env":
          for (const [ek] of pairs(assertMapping(value, "container env"))) assertString(ek, "container env value");
          break;
        case "ports":
          for (const port of assertSequence(value, "container ports").items!) assertString(port, "container port");
          break;
        case "volumes":
          for (const volume of assertSequence(value, "container volumes").items!) assertString(volume, "container volume");
          break;
        case "options":
          assertString(value, "container options");
          break;
        case "entrypoint":
          if (!service) {
            this.error(key, `Unexpected container item key: ${key.v as string}`);
            break;
          }
          assertString(value, "container entrypoint");
          break;
        case "command":
          if (!service) {
            this.error(key, `Unexpected container item key: ${key.v as string}`);
            break;
          }
          assertString(value, "container command");
          break;
        default:
          this.error(key, `Unexpected container item key: ${key.v as string}`);
      }
    }
    if (!image) this.error(container, "Container image cannot be empty");
  }

  private credentials(value: Tok): void {
    for (const [k, v] of pairs(assertMapping(value, "credentials"))) {
      const key = assertString(k, "credentials item");
      switch (key.v) {
        case "username":
          assertString(v, "credentials username");
          break;
        case "password":
          assertString(v, "credentials password");
          break;
        default:
          this.error(key, `credentials key ${key.v as string}`);
      }
    }
  }

  private environment(token: Tok): void {
    if (token.isExpression || token.isScalar) return;
    for (const [k, v] of pairs(assertMapping(token, "job environment"))) {
      const name = assertString(k, "job environment key");
      if (k.isExpression || v.isExpression) continue;
      if (name.v === "name") assertScalar(v, "job environment name key");
      else if (name.v === "deployment") assertBoolean(v, "job environment deployment");
    }
  }

  private runsOn(token: Tok): void {
    this.runsOnLabels(token);
    if (token.t !== T.Mapping) return;
    for (const [k, v] of pairs(token)) {
      const key = assertString(k, "job runs-on property name");
      if (key.v === "group") {
        if (v.isExpression) continue;
        const groupName = assertString(v, "job runs-on group name").v as string;
        const names = groupName.split("/");
        const prefixMessage = `Invalid runs-on group name '${groupName}. Please use 'organization/' or 'enterprise/' prefix to target a single runner group.'`;
        if (names.length === 2) {
          if (!["org", "organization", "ent", "enterprise"].includes(names[0]!)) this.error(v, prefixMessage);
          else if (!names[1]) this.error(v, `Invalid runs-on group name '${groupName}'.`);
        } else if (names.length > 2) this.error(v, prefixMessage);
      } else if (key.v === "labels") {
        this.runsOnLabels(v);
      }
    }
  }

  private runsOnLabels(token: Tok): void {
    if (token.isExpression || isString(token)) return;
    if (token.t === T.Sequence) {
      for (const item of token.items!) if (!item.isExpression) assertString(item, "job runs-on label sequence item");
    }
  }

  private steps(steps: Tok): Array<Record<string, unknown>> {
    if (steps.t !== T.Sequence) {
      this.error(steps, "Invalid format for steps");
      return [];
    }
    const ids = new Set<string>();
    const result: Array<Record<string, unknown>> = [];
    for (const item of steps.items!) {
      const step = this.handle(steps, () => this.step(ids, item));
      if (step) result.push(step);
    }
    return result;
  }

  private step(ids: Set<string>, step: Tok): Record<string, unknown> | undefined {
    const mapping = assertMapping(step, "steps item");
    let run: Tok | undefined;
    let uses: Tok | undefined;
    let parallel: Tok | undefined;
    let background: boolean | undefined;
    for (const [k, v] of pairs(mapping)) {
      const key = assertString(k, "steps item key").v;
      switch (key) {
        case "id": {
          const id = assertString(v, "steps item id");
          const err = tryAddKnownId(ids, id.v as string);
          if (err) this.error(id, err);
          break;
        }
        case "name":
          assertScalar(v, "steps item name");
          break;
        case "run":
          run = assertScalar(v, "steps item run");
          break;
        case "uses":
          uses = assertString(v, "steps item uses");
          break;
        case "background":
          background = assertBoolean(v, "steps item background").v as boolean;
          break;
        case "parallel":
          parallel = v;
          break;
        case "env":
          // A whole-env expression runs on github.com, and the step goes on (LENIENCY).
          if (!(this.lenient && v.t === T.BasicExpression)) assertMapping(v, "step env");
          break;
        case "if":
          this.ifCondition(v);
          break;
        case "continue-on-error":
          if (!v.isExpression) assertBoolean(v, "steps item continue-on-error");
          else assertScalar(v, "steps item continue-on-error");
          break;
        // wait, wait-all and cancel never reach here: the reader drops them (background steps are off).
      }
    }
    if (run) return { run, background };
    if (uses) return { uses, background };
    if (parallel) {
      const inner = this.steps(parallel);
      for (const ps of inner) {
        if ("background" in ps && ps["background"] !== undefined) {
          this.error(step, "'background' is not allowed inside a parallel block. Steps in a parallel block are automatically run as background steps.");
        }
        if ("parallel" in ps) this.error(step, "Nested 'parallel' blocks are not allowed.");
      }
      return { parallel: inner };
    }
    this.error(step, "Expected one of uses or run to be defined");
    return undefined;
  }

  /** convertToIfCondition: the condition, wrapped in success() && (…) unless it calls a status function. */
  ifCondition(token: Tok): void {
    const scalar = assertScalar(token, "if condition");
    // The reader already reported its expression; parsing the raw `${{` text again only adds
    // "Unexpected symbol: '${{'" (LENIENCY: one finding per problem).
    if (token.bad) return;
    let condition: string;
    if (scalar.t === T.BasicExpression) condition = scalar.expr;
    else condition = (assertString(scalar, "if condition").v as string).trim();
    const final = condition ? ensureStatusFunction(condition, token) : "success()";
    const error = expressionError(final, token.info);
    if (error !== undefined) this.error(token, error);
  }

  /** validateRunsIfCondition (action pre-if / post-if). */
  runsIf(token: Tok): void {
    const error = expressionError(token.v as string, token.info);
    if (error !== undefined) this.error(token, error);
  }

  /** convertActionTemplate's checks. A failed assertion there escapes the converter: ConversionStopped. */
  action(root: Tok): void {
    try {
      this.actionBody(root);
    } catch (err) {
      if (err instanceof TokErr) throw new ConversionStopped(err.message);
      throw err;
    }
  }

  private actionBody(root: Tok): void {
    if (root.t !== T.Mapping) {
      this.error(root, "Action must be a mapping");
      return;
    }
    for (const [k, v] of pairs(root)) {
      const key = assertString(k, "action key").v;
      switch (key) {
        case "inputs":
        case "outputs":
          if (v.t !== T.Mapping) break;
          for (const [ik, iv] of pairs(v)) {
            assertString(ik, key === "inputs" ? "input id" : "output id");
            if (iv.t === T.Mapping) for (const [pk] of pairs(iv)) assertString(pk, key === "inputs" ? "input property" : "output property");
          }
          break;
        case "runs": {
          if (v.t !== T.Mapping) break;
          for (const [rk, rv] of pairs(v)) {
            const runsKey = assertString(rk, "runs property").v;
            if ((runsKey === "pre-if" || runsKey === "post-if") && isString(rv)) this.runsIf(rv);
            else if (runsKey === "env" && rv.t === T.Mapping) for (const [ek] of pairs(rv)) assertString(ek, "env key");
            else if (runsKey === "steps" && rv.t === T.Sequence) {
              for (const stepToken of rv.items!) {
                if (stepToken.t !== T.Mapping) continue;
                for (const [sk, sv] of pairs(stepToken)) {
                  if (assertString(sk, "step property").v === "if") this.ifCondition(sv);
                }
              }
            }
          }
          break;
        }
        case "branding":
          if (v.t === T.Mapping) for (const [bk] of pairs(v)) assertString(bk, "branding property");
          break;
      }
    }
  }
}

/** `needs` of a job read straight from its tokens (strings only), for a job whose conversion stopped. */
function literalNeeds(job: Tok): Tok[] {
  for (const [k, v] of pairs(job)) {
    if (k.v !== "needs") continue;
    if (isString(v)) return [v];
    if (v.t === T.Sequence) return v.items!.filter(isString);
  }
  return [];
}

function anyExpression(tok: Tok): boolean {
  if (tok.isExpression) return true;
  if (tok.items) return tok.items.some(anyExpression);
  if (tok.keys) return tok.keys.some(anyExpression) || tok.vals!.some(anyExpression);
  return false;
}

/** IdBuilder.tryAddKnownId with a fresh or shared set of names. */
function tryAddKnownId(names: Set<string>, value: string): string | undefined {
  if (!value || !validId(value) || value.length >= 100) {
    return `The identifier '${value}' is invalid. IDs may only contain alphanumeric characters, '_', and '-'. IDs must start with a letter or '_' and and must be less than 100 characters.`;
  }
  if (value.startsWith("__")) return `The identifier '${value}' is invalid. IDs starting with '__' are reserved.`;
  if (names.has(value)) return `The identifier '${value}' may not be used more than once within the same scope.`;
  names.add(value);
  return undefined;
}

function validId(name: string): boolean {
  const alpha = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
  const numeric = (c: string) => c >= "0" && c <= "9";
  let first = true;
  for (const c of name) {
    if (first) {
      first = false;
      if (!alpha(c) && c !== "_") return false;
      continue;
    }
    if (!alpha(c) && !numeric(c) && c !== "_" && c !== "-") return false;
  }
  return true;
}

const NO_CONTEXT_STATUS = new Map<string, string>();

/** ensureStatusFunction: parse errors leave the condition as it is, for validation to report. */
function ensureStatusFunction(condition: string, token: Tok): string {
  const statusCache = token.info ? token.info.conditions : NO_CONTEXT_STATUS;
  const key = condition;
  const hit = statusCache.get(key);
  if (hit !== undefined) return hit;
  let result = condition;
  try {
    const { named, funcs } = token.info ? token.info.contexts() : { named: [], funcs: [] };
    const tree = new Parser(new Lexer(condition).lex().tokens, named, funcs).parse();
    if (!hasStatusFunction(tree)) result = `success() && (${condition})`;
  } catch {
    result = condition;
  }
  if (statusCache.size > 5_000) statusCache.clear();
  statusCache.set(key, result);
  return result;
}

function hasStatusFunction(tree: Expr | undefined): boolean {
  if (!tree) return false;
  if (tree instanceof FunctionCall) {
    const name = tree.functionName.lexeme.toLowerCase();
    if (name === "success" || name === "failure" || name === "cancelled" || name === "always") return true;
    return tree.args.some(hasStatusFunction);
  }
  if (tree instanceof Binary) return hasStatusFunction(tree.left) || hasStatusFunction(tree.right);
  if (tree instanceof Unary) return hasStatusFunction(tree.expr);
  if (tree instanceof Logical) return tree.args.some(hasStatusFunction);
  if (tree instanceof Grouping) return hasStatusFunction(tree.group);
  if (tree instanceof IndexAccess) return hasStatusFunction(tree.expr) || hasStatusFunction(tree.index);
  return false;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
interface CronRange {
  min: number;
  max: number;
  names?: Record<string, number>;
}
const RANGES: CronRange[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];

/** workflow-parser's isValidCron; lenient: a step only needs to be a positive number (`*\/24` runs). */
export function isValidCron(cron: string, lenient: boolean): boolean {
  const parts = cron.split(/ +/);
  if (parts.length !== 5) return false;
  return parts.every((p, i) => cronPart(p, RANGES[i]!, true, lenient));
}

function cronPart(value: string, range: CronRange, allowSeparators: boolean, lenient: boolean): boolean {
  // A plain-object lookup, as workflow-parser does it.
  if (range.names && range.names[value.toLowerCase()] !== undefined) return true;
  if (value === "*") return true;
  if (value.includes(",")) {
    if (!allowSeparators) return false;
    return value.split(",").every((v) => v && cronPart(v, range, true, lenient));
  }
  if (value.includes("/")) {
    if (!allowSeparators) return false;
    const [start, step, ...rest] = value.split("/");
    const stepNumber = +step!;
    if (rest.length > 0 || isNaN(stepNumber) || stepNumber <= 0 || !start || !step) return false;
    const stepOk = lenient ? Number.isInteger(stepNumber) : cronPart(step, range, false, lenient);
    return cronPart(start, range, true, lenient) && stepOk;
  }
  if (value.includes("-")) {
    if (!allowSeparators) return false;
    const [start, end, ...rest] = value.split("-");
    if (rest.length > 0 || !start || !end) return false;
    const toNumber = (v: string) => (range.names && range.names[v.toLowerCase()] !== undefined ? +range.names[v.toLowerCase()]! : +v);
    return cronPart(start, range, false, lenient) && cronPart(end, range, false, lenient) && toNumber(end) >= toNumber(start);
  }
  const n = +value;
  return !isNaN(n) && n >= range.min && n <= range.max;
}
