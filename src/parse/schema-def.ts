/**
 * GitHub's workflow and action template schemas (the JSON files shipped in @actions/workflow-parser),
 * compiled once into plain tables the schema reader walks. The tables mirror workflow-parser's own
 * `TemplateSchema` (same one-of expansion, same allowed-values constants), so the reader can reproduce
 * its diagnostics; `lenient` variants carry the changes that make them match what github.com accepts
 * (see LENIENCY in schema.ts).
 */
// Imported by relative path: the package's `exports` map does not expose its JSON files.
import workflowJson from "../../node_modules/@actions/workflow-parser/dist/workflow-v1.0.min.json" with { type: "json" };
import actionJson from "../../node_modules/@actions/workflow-parser/dist/action-v1.0.min.json" with { type: "json" };

export const enum Kind {
  Null,
  Boolean,
  Number,
  String,
  Sequence,
  Mapping,
  OneOf,
}

export interface Prop {
  type: string;
  required: boolean;
}

/** Keys GitHub ignores in a mapping: reported as warnings instead of errors (lenient schemas only). */
export interface IgnoredKeys {
  /** Words for the message: "the 'push' trigger", "a workflow_dispatch input", "action metadata". */
  owner: string;
  /** True when the owner takes no keys at all (events without filters). */
  none?: boolean;
}

export interface Def {
  name: string;
  kind: Kind;
  /** The definition's own `context` list (reader context, with min/max parameter counts). */
  context: string[];
  // string
  constant: string;
  ignoreCase: boolean;
  requireNonEmpty: boolean;
  // sequence
  itemType: string;
  // mapping
  properties: Map<string, Prop>;
  looseKeyType: string;
  looseValueType: string;
  // one-of
  oneOf: string[];
  // derived, filled by finish()
  scalars: Def[];
  seq: Def | undefined;
  maps: Def[];
  // leniency annotations (lenient schemas only)
  ignoredKeys?: IgnoredKeys;
  /** The allowed-values definition of an event's activity types reached from here: unknown values are warnings. */
  activity?: Def;
  /** On that allowed-values definition: the event (empty when several events share it). */
  activityOf?: string;
  /** The event name when this is an event's definition. */
  event?: string;
}

export interface Schema {
  defs: Map<string, Def>;
  get(name: string): Def;
  /** Events' activity-type names, for suggestions. */
  lenient: boolean;
}

interface RawSchema {
  definitions: Record<string, Record<string, unknown>>;
}

function blank(name: string, kind: Kind): Def {
  return {
    name,
    kind,
    context: [],
    constant: "",
    ignoreCase: false,
    requireNonEmpty: false,
    itemType: "",
    properties: new Map(),
    looseKeyType: "",
    looseValueType: "",
    oneOf: [],
    scalars: [],
    seq: undefined,
    maps: [],
  };
}

/** workflow-parser's ScalarToken.trimDisplayString, which allowed-values constants go through. */
function trimDisplay(s: string): string {
  let first = s.trimStart();
  const nl = first.indexOf("\n");
  const cr = first.indexOf("\r");
  if (nl >= 0 || cr >= 0) first = first.substring(0, Math.min(nl >= 0 ? nl : Number.MAX_VALUE, cr >= 0 ? cr : Number.MAX_VALUE));
  return first;
}

function compile(raw: RawSchema, lenient: boolean, patch?: (defs: Map<string, Def>) => void): Schema {
  const defs = new Map<string, Def>();
  defs.set("null", blank("null", Kind.Null));
  defs.set("boolean", blank("boolean", Kind.Boolean));
  defs.set("number", blank("number", Kind.Number));
  defs.set("string", blank("string", Kind.String));
  const seq = blank("sequence", Kind.Sequence);
  seq.itemType = "any";
  defs.set("sequence", seq);
  const map = blank("mapping", Kind.Mapping);
  map.looseKeyType = "string";
  map.looseValueType = "any";
  defs.set("mapping", map);
  const any = blank("any", Kind.OneOf);
  any.oneOf = ["null", "boolean", "number", "string", "sequence", "mapping"];
  defs.set("any", any);

  for (const [name, body] of Object.entries(raw.definitions)) {
    const context = Array.isArray(body["context"]) ? (body["context"] as string[]).slice() : [];
    let def: Def | undefined;
    for (const [key, value] of Object.entries(body)) {
      if (key === "context" || key === "description") continue;
      const v = (value ?? {}) as Record<string, unknown>;
      switch (key) {
        case "null":
          def = blank(name, Kind.Null);
          break;
        case "boolean":
          def = blank(name, Kind.Boolean);
          break;
        case "number":
          def = blank(name, Kind.Number);
          break;
        case "string":
          def = blank(name, Kind.String);
          def.constant = typeof v["constant"] === "string" ? v["constant"] : "";
          def.ignoreCase = v["ignore-case"] === true;
          def.requireNonEmpty = v["require-non-empty"] === true;
          break;
        case "sequence":
          def = blank(name, Kind.Sequence);
          def.itemType = String(v["item-type"] ?? "");
          break;
        case "mapping": {
          def = blank(name, Kind.Mapping);
          const props = (v["properties"] ?? {}) as Record<string, unknown>;
          for (const [p, pv] of Object.entries(props)) {
            if (typeof pv === "string") def.properties.set(p, { type: pv, required: false });
            else {
              const o = pv as Record<string, unknown>;
              def.properties.set(p, { type: String(o["type"] ?? ""), required: o["required"] === true });
            }
          }
          def.looseKeyType = typeof v["loose-key-type"] === "string" ? v["loose-key-type"] : "";
          def.looseValueType = typeof v["loose-value-type"] === "string" ? v["loose-value-type"] : "";
          break;
        }
        case "one-of":
          def = blank(name, Kind.OneOf);
          def.oneOf = (value as string[]).slice();
          break;
        case "allowed-values":
          def = blank(name, Kind.OneOf);
          for (const item of value as string[]) {
            const valueName = `${name}-${item}`;
            const s = blank(valueName, Kind.String);
            s.constant = trimDisplay(item);
            defs.set(valueName, s);
            def.oneOf.push(valueName);
          }
          break;
        default:
          throw new Error(`schema definition '${name}': unexpected key '${key}'`);
      }
      break;
    }
    if (!def) throw new Error(`Not enough information to construct definition '${name}'`);
    def.context = context;
    defs.set(name, def);
  }
  patch?.(defs);
  const get = (name: string): Def => {
    const d = defs.get(name);
    if (!d) throw new Error(`Schema definition '${name}' not found`);
    return d;
  };
  for (const def of defs.values()) finish(def, get);
  return { defs, get, lenient };
}

/** workflow-parser's getScalarDefinitions / getDefinitionsOfType, computed once per definition. */
function finish(def: Def, get: (name: string) => Def): void {
  const scalars = (d: Def): Def[] => {
    switch (d.kind) {
      case Kind.Null:
      case Kind.Boolean:
      case Kind.Number:
      case Kind.String:
        return [d];
      case Kind.OneOf:
        return d.oneOf.flatMap((n) => scalars(get(n)));
      default:
        return [];
    }
  };
  def.scalars = scalars(def);
  const ofKind = (kind: Kind): Def[] => {
    if (def.kind === kind) return [def];
    if (def.kind === Kind.OneOf) return def.oneOf.map(get).filter((d) => d.kind === kind);
    return [];
  };
  def.seq = ofKind(Kind.Sequence)[0];
  def.maps = ofKind(Kind.Mapping);
}

/** The strict workflow schema, exactly as workflow-parser reads it. */
let strictWorkflow: Schema | undefined;
let strictAction: Schema | undefined;
let lenientWorkflow: Schema | undefined;
let lenientAction: Schema | undefined;

export function workflowSchema(lenient: boolean): Schema {
  if (lenient) return (lenientWorkflow ??= compile(workflowJson as unknown as RawSchema, true, patchWorkflow));
  return (strictWorkflow ??= compile(workflowJson as unknown as RawSchema, false));
}

export function actionSchema(lenient: boolean): Schema {
  if (lenient) return (lenientAction ??= compile(actionJson as unknown as RawSchema, true, patchAction));
  return (strictAction ??= compile(actionJson as unknown as RawSchema, false));
}

/**
 * What github.com accepts and the editor schema rejects, as changes to the workflow tables.
 * Each change is one class of LENIENCY in schema.ts.
 */
function patchWorkflow(defs: Map<string, Def>): void {
  // Schema bug in workflow-v1.0.json (0.3.61): `repository-dispatch-string` holds the constant
  // "branch_protection_rule", so `on: repository_dispatch` (string or list form) is "unexpected".
  const rd = defs.get("repository-dispatch-string");
  if (rd) rd.constant = "repository_dispatch";
  // `repository_dispatch: types: name` as a single string (every other event filter takes one).
  const rdm = defs.get("repository-dispatch-mapping");
  if (rdm?.properties.get("types")) {
    const oneOf = blank("repository-dispatch-types", Kind.OneOf);
    oneOf.oneOf = ["non-empty-string", "sequence-of-non-empty-string"];
    defs.set(oneOf.name, oneOf);
    rdm.properties.set("types", { type: oneOf.name, required: false });
  }
  // Events: keys the event does not take are ignored by GitHub; unknown activity types are accepted.
  const on = defs.get("on-mapping-strict");
  if (!on) return;
  for (const [event, prop] of on.properties) {
    const def = defs.get(prop.type);
    if (!def) continue;
    def.event = event;
    const members = def.kind === Kind.OneOf ? def.oneOf.map((n) => defs.get(n)).filter((d): d is Def => !!d) : [def];
    for (const m of members) {
      if (m.kind === Kind.Null) {
        m.event ??= event;
        if (def.kind === Kind.Null) def.ignoredKeys = { owner: `the '${event}' trigger`, none: true };
      }
      if (m.kind !== Kind.Mapping || event === "workflow_call") continue;
      m.ignoredKeys = { owner: `the '${event}' trigger` };
      const types = m.properties.get("types");
      if (!types) continue;
      markActivity(defs, types.type, event);
    }
  }
  // Keys GitHub ignores under a workflow_dispatch input (`name:` is a common one).
  const input = defs.get("workflow-dispatch-input");
  if (input) input.ignoredKeys = { owner: "a workflow_dispatch input" };
}

function markActivity(defs: Map<string, Def>, name: string, event: string, depth = 0): Def | undefined {
  const d = defs.get(name);
  if (!d || depth > 3) return undefined;
  if (d.kind === Kind.Sequence) return markActivity(defs, d.itemType, event, depth + 1);
  if (d.kind !== Kind.OneOf) return undefined;
  const constants = d.oneOf.map((n) => defs.get(n));
  if (constants.length > 0 && constants.every((c) => c?.kind === Kind.String && c.constant)) {
    // Shared by several events (pull_request and pull_request_target): name none of them.
    d.activityOf = d.activityOf !== undefined && d.activityOf !== event ? "" : event;
    d.activity = d;
    return d;
  }
  let found: Def | undefined;
  for (const n of d.oneOf) found = markActivity(defs, n, event, depth + 1) ?? found;
  if (found) d.activity = found;
  return found;
}

/**
 * The runner loads action.yml with its own schema (actions/runner src/Runner.Worker/action_yaml.json):
 * the root and each input take any further key, only `default` of an input is typed, and neither
 * `name` nor `description` is required.
 */
function patchAction(defs: Map<string, Def>): void {
  const root = defs.get("action-root-strict");
  if (root) {
    for (const key of ["name", "description"]) {
      const p = root.properties.get(key);
      if (p) root.properties.set(key, { type: key === "name" ? "string" : p.type, required: false });
    }
    root.ignoredKeys = { owner: "action metadata" };
  }
  const input = defs.get("input-strict");
  if (input) {
    for (const [key, p] of input.properties) if (key !== "default") input.properties.set(key, { type: "any", required: p.required });
  }
}
