/** Builds the typed model (workflows, jobs, steps, composite actions) from a parsed YAML document. */
import { isMap, isScalar, isSeq } from "./yaml-nodes.js";
import type {
  ActionInput,
  ActionModel,
  EntryMap,
  Job,
  MatrixAxis,
  MatrixModel,
  Permissions,
  SourceFile,
  Step,
  Strategy,
  Uses,
  Workflow,
} from "../model/types.js";
import { Locator, nodeKey, type YNode } from "./yaml-tree.js";
import { parseUses } from "./uses.js";

const EMPTY_MAP: EntryMap = { dynamic: false, entries: [] };

export function buildWorkflow(file: SourceFile): Workflow {
  const loc = locatorFor(file);
  const root = loc.deref(file.doc?.contents as YNode);
  const onPair = loc.pair(root, "on");
  const on = loc.deref(onPair?.value);
  let triggers: string[] = [];
  if (isScalar(on)) triggers = [loc.scalar(on)?.value ?? ""];
  else if (isSeq(on)) triggers = loc.stringList(on) ?? [];
  else if (isMap(on)) triggers = loc.entries(on).map((e) => e.key);

  const triggerTypes = new Map<string, string[]>();
  if (isMap(on)) {
    for (const e of loc.entries(on)) {
      // `types: name` as a string is accepted too.
      const list = loc.stringList(loc.get(loc.get(on, e.key), "types"));
      if (list) triggerTypes.set(e.key, list);
    }
  }

  const callInputs: Workflow["callInputs"] = new Map();
  const wfCall = isMap(on) ? loc.get(on, "workflow_call") : undefined;
  for (const input of inputEntries(loc, loc.get(wfCall, "inputs"))) callInputs.set(input.name, input);

  const jobsNode = loc.get(root, "jobs");
  const jobs: Job[] = [];
  if (isMap(jobsNode)) {
    for (const item of jobsNode.items) {
      if (!isScalar(item.key)) continue;
      jobs.push(buildJob(loc, String(item.key.value), item.key as YNode, loc.deref(item.value as YNode)));
    }
  }

  const push = isMap(on) ? loc.get(on, "push") : undefined;
  let pushFilters: Workflow["pushFilters"];
  if (isMap(push)) {
    pushFilters = {};
    const list = (key: string) => {
      const node = loc.get(push, key);
      return node === undefined ? undefined : (loc.stringList(node) ?? []);
    };
    const branches = list("branches");
    const branchesIgnore = list("branches-ignore");
    const tags = list("tags");
    const tagsIgnore = list("tags-ignore");
    if (branches) pushFilters.branches = branches;
    if (branchesIgnore) pushFilters.branchesIgnore = branchesIgnore;
    if (tags) pushFilters.tags = tags;
    if (tagsIgnore) pushFilters.tagsIgnore = tagsIgnore;
  }

  return {
    file,
    name: loc.scalar(loc.get(root, "name")),
    triggers,
    ...(pushFilters ? { pushFilters } : {}),
    triggersRange: onPair ? loc.keyRange(onPair) : undefined,
    triggerTypes,
    workflowRunWorkflows: isMap(on) ? loc.stringList(loc.get(loc.get(on, "workflow_run"), "workflows")) : undefined,
    permissions: buildPermissions(loc, root),
    env: loc.entryMap(loc.pair(root, "env")),
    jobs,
    callInputs,
  };
}

export function buildAction(file: SourceFile): ActionModel {
  const loc = locatorFor(file);
  const root = loc.deref(file.doc?.contents as YNode);
  const runs = loc.get(root, "runs");
  const inputs = new Map<string, ActionInput>();
  for (const input of inputEntries(loc, loc.get(root, "inputs"))) inputs.set(input.name, input);
  const outputsNode = loc.get(root, "outputs");
  return {
    file,
    name: loc.scalar(loc.get(root, "name")),
    using: loc.scalar(loc.get(runs, "using"))?.value,
    inputs,
    outputs: isMap(outputsNode) ? loc.entries(outputsNode).map((e) => e.key) : [],
    steps: buildSteps(loc, loc.get(runs, "steps")),
  };
}

function locatorFor(file: SourceFile): Locator {
  if (!file.doc || !file.lineCounter) throw new Error(`internal: ${file.path} was not parsed`);
  return new Locator(file.lineCounter, file.doc, file.text.charCodeAt(0) === 0xfeff);
}

function inputEntries(loc: Locator, node: YNode): ActionInput[] {
  if (!isMap(node)) return [];
  const out: ActionInput[] = [];
  for (const item of node.items) {
    if (!isScalar(item.key)) continue;
    const def = loc.deref(item.value as YNode);
    const dflt = loc.scalar(loc.get(def, "default"));
    const req = loc.scalar(loc.get(def, "required"));
    const type = loc.scalar(loc.get(def, "type"))?.value;
    out.push({
      name: String(item.key.value),
      default: dflt?.value,
      required: req?.value === "true",
      ...(type !== undefined ? { type } : {}),
      range: loc.range(item.key as YNode),
      ...(dflt ? { defaultRange: dflt.range } : {}),
    });
  }
  return out;
}

function buildJob(loc: Locator, id: string, keyNode: YNode, node: YNode): Job {
  const idRange = loc.range(keyNode);
  const usesPair = loc.pair(node, "uses");
  const secretsNode = loc.get(node, "secrets");
  const runsOnNode = loc.get(node, "runs-on");
  let runsOn: Job["runsOn"];
  if (runsOnNode) {
    const group = loc.scalar(loc.get(runsOnNode, "group"))?.value;
    const labels = isMap(runsOnNode)
      ? (loc.stringList(loc.get(runsOnNode, "labels")) ?? [])
      : (loc.stringList(runsOnNode) ?? []);
    runsOn = {
      labels,
      group,
      dynamic: labels.some((l) => l.includes("${{")),
      range: loc.range(runsOnNode),
    };
  }
  const containerNode = loc.get(node, "container");
  const container: Job["container"] = containerNode
    ? { image: isMap(containerNode) ? loc.scalar(loc.get(containerNode, "image")) : loc.scalar(containerNode), range: loc.range(containerNode) }
    : undefined;
  const stepsPair = loc.pair(node, "steps");
  const needs = loc.stringList(loc.get(node, "needs")) ?? [];
  return {
    id,
    idRange,
    range: { start: idRange.start, end: loc.range(node).end },
    name: loc.scalar(loc.get(node, "name")),
    runsOn,
    container,
    permissions: buildPermissions(loc, node),
    env: loc.entryMap(loc.pair(node, "env")),
    needs,
    if: loc.scalar(loc.get(node, "if")),
    strategy: buildStrategy(loc, node),
    environment: loc.scalar(loc.get(node, "environment")) ?? loc.scalar(loc.get(loc.get(node, "environment"), "name")),
    outputs: loc.entryMap(loc.pair(node, "outputs")),
    continueOnError: loc.scalar(loc.get(node, "continue-on-error")),
    steps: buildSteps(loc, stepsPair?.value as YNode),
    stepsKeyRange: stepsPair ? loc.keyRange(stepsPair) : undefined,
    uses: buildUses(loc, usesPair),
    with: loc.entryMap(loc.pair(node, "with")),
    secrets: isScalar(secretsNode) && secretsNode.value === "inherit" ? "inherit" : loc.entryMap(loc.pair(node, "secrets")),
  };
}

function buildUses(loc: Locator, pair: ReturnType<Locator["pair"]>): Uses | undefined {
  if (!pair) return undefined;
  const node = loc.scalar(pair.value);
  if (!node) return undefined;
  return { ref: parseUses(node.value), node, keyRange: loc.keyRange(pair) };
}

function buildSteps(loc: Locator, node: YNode): Step[] {
  return loc.items(node).map((item, index) => {
    const flow = isMap(item) && !!item.flow;
    return {
      index,
      range: loc.range(item),
      id: loc.scalar(loc.get(item, "id")),
      name: loc.scalar(loc.get(item, "name")),
      uses: buildUses(loc, loc.pair(item, "uses")),
      with: isMap(item) ? loc.entryMap(loc.pair(item, "with")) : EMPTY_MAP,
      env: isMap(item) ? loc.entryMap(loc.pair(item, "env")) : EMPTY_MAP,
      if: loc.scalar(loc.get(item, "if")),
      run: loc.scalar(loc.get(item, "run")),
      shell: loc.scalar(loc.get(item, "shell")),
      workingDirectory: loc.scalar(loc.get(item, "working-directory")),
      continueOnError: loc.scalar(loc.get(item, "continue-on-error")),
      flow,
    };
  });
}

function buildPermissions(loc: Locator, owner: YNode): Permissions | undefined {
  const pair = loc.pair(owner, "permissions");
  if (!pair) return undefined;
  const value = loc.deref(pair.value as YNode);
  const keyRange = loc.keyRange(pair);
  const range = value ? loc.range(value) : keyRange;
  const base = { keyRange, range, flow: isMap(value) && !!value.flow };
  if (isMap(value)) {
    const entries = loc.entries(value);
    const scopes: Record<string, string> = {};
    for (const e of entries) scopes[e.key] = e.value?.value ?? "";
    return { ...base, kind: "map", scopes, entries };
  }
  const s = loc.scalar(value);
  // `permissions:` with no value is an empty map: every scope none.
  if (!value || (s && s.value === "")) return { ...base, kind: "map", scopes: {}, entries: [] };
  if (s?.value === "read-all" || s?.value === "write-all") return { ...base, kind: s.value, scopes: {}, entries: [] };
  if (s?.isExpression) return { ...base, kind: "expression", scopes: {}, entries: [] };
  return { ...base, kind: "invalid", scopes: {}, entries: [] };
}

function buildStrategy(loc: Locator, job: YNode): Strategy | undefined {
  const pair = loc.pair(job, "strategy");
  if (!pair) return undefined;
  const node = loc.deref(pair.value as YNode);
  return {
    keyRange: loc.keyRange(pair),
    matrix: buildMatrix(loc, loc.pair(node, "matrix")),
    maxParallel: loc.scalar(loc.get(node, "max-parallel")),
    failFast: loc.scalar(loc.get(node, "fail-fast")),
  };
}

function buildMatrix(loc: Locator, pair: ReturnType<Locator["pair"]>): MatrixModel | undefined {
  if (!pair) return undefined;
  const node = loc.deref(pair.value as YNode);
  const base = { keyRange: loc.keyRange(pair), range: node ? loc.range(node) : loc.keyRange(pair) };
  if (!isMap(node)) {
    return { ...base, dynamic: true, axes: [], include: [], exclude: [] };
  }
  const axes: MatrixAxis[] = [];
  let include: MatrixModel["include"] = [];
  let exclude: MatrixModel["exclude"] = [];
  for (const item of node.items) {
    if (!isScalar(item.key)) continue;
    const key = String(item.key.value);
    const value = loc.deref(item.value as YNode);
    if (key === "include" || key === "exclude") {
      const list = combos(loc, value);
      if (key === "include") include = list;
      else exclude = list;
      continue;
    }
    if (isSeq(value)) {
      const values = loc.items(value).map((v) => nodeKey(loc, v));
      axes.push({ name: key, size: values.length, values });
    } else {
      // An expression (or a scalar GitHub rejects): the size is not known statically.
      axes.push({ name: key });
    }
  }
  return { ...base, dynamic: false, axes, include, exclude };
}

function combos(loc: Locator, node: YNode): Array<Record<string, string>> | "dynamic" {
  if (!isSeq(node)) return node ? "dynamic" : [];
  const out: Array<Record<string, string>> = [];
  for (const item of loc.items(node)) {
    if (!isMap(item)) return "dynamic";
    const combo: Record<string, string> = {};
    for (const e of item.items) {
      if (isScalar(e.key)) combo[String(e.key.value)] = nodeKey(loc, e.value as YNode);
    }
    out.push(combo);
  }
  return out;
}
