import { describe, expect, it } from "vitest";
import { data } from "@actions/expressions";
import { type Abstract, type Resolver, evaluateCondition, evaluateTemplate, fromJS, known, str, truthOf } from "../../src/graph/abstract-eval.js";

/** A resolver from dotted paths. */
function ctx(values: Record<string, Abstract>): Resolver {
  return (path) => values[path.join(".")];
}

const truth = (cond: string, values: Record<string, Abstract> = {}, status?: { success?: boolean }) => truthOf(evaluateCondition(cond, { resolve: ctx(values), status }));

describe("abstract evaluation of conditions", () => {
  it("decides literals and known values with GitHub's semantics (case-insensitive strings, wrapper optional)", () => {
    expect(truth("${{ false }}")).toBe(false);
    expect(truth("true")).toBe(true);
    expect(truth("github.event_name == 'PUSH'", { "github.event_name": str("push") })).toBe(true);
    expect(truth("github.event_name != 'push'", { "github.event_name": str("push") })).toBe(false);
  });

  it("keeps unknown contexts unknown, but && and || decide when one side does", () => {
    expect(truth("github.actor == 'me'")).toBeUndefined();
    expect(truth("github.actor == 'me' && github.event_name == 'push'", { "github.event_name": str("pull_request") })).toBe(false);
    expect(truth("github.actor == 'me' || github.event_name == 'pull_request'", { "github.event_name": str("pull_request") })).toBe(true);
    expect(truth("!(github.actor == 'me')")).toBeUndefined();
  });

  it("a stranger's login or repository equals no literal and not this repository", () => {
    const values = { "github.actor": { kind: "stranger" } as Abstract, "github.repository": { kind: "self", what: "repository" } as Abstract, "github.head.full_name": { kind: "stranger" } as Abstract };
    expect(truth("github.actor == 'octocat'", values)).toBe(false);
    expect(truth("github.actor != 'dependabot[bot]'", values)).toBe(true);
    expect(truth("github.head.full_name == github.repository", values)).toBe(false);
    expect(truth("github.head.full_name == 'smithy-lang/smithy-rs'", values)).toBe(false);
    expect(truth("contains(fromJSON('[\"a\",\"b\"]'), github.actor)", values)).toBe(false);
    expect(truth("startsWith(github.actor, 'a')", values)).toBeUndefined();
  });

  it("a human login may be any name but a bot's", () => {
    const values = { "github.actor": { kind: "human" } as Abstract };
    expect(truth("github.actor == 'dependabot[bot]'", values)).toBe(false);
    expect(truth("github.actor == 'octocat'", values)).toBeUndefined();
  });

  it("a string known by its prefix and suffix: refs/pull/N/merge is never a branch or a tag", () => {
    const values = { "github.ref": { kind: "affixed", prefix: "refs/pull/", suffix: "/merge" } as Abstract };
    expect(truth("github.ref == 'refs/heads/main'", values)).toBe(false);
    expect(truth("startsWith(github.ref, 'refs/tags/')", values)).toBe(false);
    expect(truth("startsWith(github.ref, 'refs/pull/')", values)).toBe(true);
    expect(truth("endsWith(github.ref, '/merge')", values)).toBe(true);
    expect(truth("github.ref == 'refs/pull/12/merge'", values)).toBeUndefined();
    const base = { "github.ref": { kind: "affixed", prefix: "refs/heads/", suffix: "" } as Abstract };
    expect(truth("github.ref == 'refs/heads/main'", base)).toBeUndefined();
    expect(truth("startsWith(github.ref, 'refs/tags/v')", base)).toBe(false);
  });

  it("null payload fields: startsWith and == against a ref are false", () => {
    const values = { "github.event.ref": known(new data.Null()) };
    expect(truth("github.event.ref == 'refs/heads/main'", values)).toBe(false);
    expect(truth("startsWith(github.event.ref, 'refs/tags/')", values)).toBe(false);
  });

  it("one of a few values: decided when every value agrees", () => {
    const assoc: Abstract = { kind: "oneOf", values: ["NONE", "CONTRIBUTOR"].map((x) => new data.StringData(x)) };
    expect(truth("contains(fromJSON('[\"OWNER\",\"MEMBER\",\"COLLABORATOR\"]'), github.assoc)", { "github.assoc": assoc })).toBe(false);
    expect(truth("github.assoc == 'NONE'", { "github.assoc": assoc })).toBeUndefined();
    expect(truth("github.assoc != 'OWNER'", { "github.assoc": assoc })).toBe(true);
  });

  it("indexes known values: labels.*.name of an empty list, properties of a null pull request", () => {
    const values = { "github.event.pull_request.labels": known(fromJS([])), "github.event.issue": known(new data.Null()) };
    expect(truth("contains(github.event.pull_request.labels.*.name, 'safe to test')", values)).toBe(false);
    expect(truth("github.event.issue.pull_request", values)).toBe(false);
  });

  it("status functions: always() is true; success() false when a need was skipped", () => {
    expect(truth("always() && github.x == 'y'", { "github.x": str("y") })).toBe(true);
    expect(truth("success() && true", {}, { success: false })).toBe(false);
    expect(truth("!cancelled()")).toBeUndefined();
  });

  it("carries the taint of a run-time check through comparisons and logic", () => {
    const gate: Abstract = { kind: "oneOf", values: [new data.StringData("false"), new data.StringData("")], taint: [{ kind: "fork", by: "job `check`" }] };
    const v = evaluateCondition("needs.check.outputs.ok == 'true' && github.x == 'y'", { resolve: ctx({ "needs.check.outputs.ok": gate }) });
    expect(truthOf(v)).toBe(false);
    expect(v.taint).toEqual([{ kind: "fork", by: "job `check`" }]);
    // A check that is false for certain regardless of the gate: the untainted operand decides.
    const w = evaluateCondition("github.x == 'y' && needs.check.outputs.ok == 'true'", { resolve: ctx({ "github.x": str("z"), "needs.check.outputs.ok": gate }) });
    expect(truthOf(w)).toBe(false);
    expect(w.taint).toBeUndefined();
  });

  it("fromJSON of a gate's answer: false, or an error that runs nothing", () => {
    const gate: Abstract = { kind: "oneOf", values: [new data.StringData("false"), new data.StringData("")] };
    expect(truth("fromJSON(needs.g.outputs.ok)", { "needs.g.outputs.ok": gate })).toBe(false);
  });

  it("unparsable conditions and text around the wrapper are unknown", () => {
    expect(truth("github.event_name == ")).toBeUndefined();
    expect(truth("${{ a }} == b")).toBeUndefined();
  });
});

describe("abstract evaluation of templates", () => {
  it("a single expression keeps its value; text around it makes a string", () => {
    const resolve = ctx({ "github.event_name": str("push"), "github.ref": { kind: "unknown" } });
    expect(evaluateTemplate("${{ github.event_name == 'push' }}", { resolve })).toMatchObject({ kind: "known" });
    expect(truthOf(evaluateTemplate("${{ github.event_name == 'push' }}", { resolve }))).toBe(true);
    const t = evaluateTemplate("pr-${{ github.event_name }}", { resolve });
    expect(t.kind === "known" && t.value.coerceString()).toBe("pr-push");
    expect(evaluateTemplate("x-${{ github.ref }}-y", { resolve })).toMatchObject({ kind: "affixed", prefix: "x-", suffix: "-y" });
    expect(evaluateTemplate("plain", { resolve })).toMatchObject({ kind: "known" });
  });
});
