/** IAM condition semantics against a table of cases: operators, wildcards, case, ORed values, ANDed keys, ORed statements, Deny. */
import { describe, expect, it } from "vitest";
import { judgePolicy, judgeValues, parseOperator, type SubjectPart, type TokenClaims, type Verdict } from "../../src/iac/iam.js";
import type { PolicyString, TrustCondition, TrustStatement } from "../../src/iac/types.js";
import type { SourceFile } from "../../src/model/types.js";

const file: SourceFile = { path: "p.json", repoPath: "p.json", kind: "iac", text: "" };
const zero = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const at = { file, range: zero };

/** `repo:${?}` marks a part credflow does not know. */
function value(text: string): PolicyString {
  const segments = text.split(/(\$\{\?\})/).filter((s) => s !== "").map((s) => (s === "${?}" ? { unknown: "a variable" } : { text: s }));
  return { segments, at, assumptions: [] };
}

/** `<branch>` a hole the runs vary over, `<?repo>` one value credflow does not know. */
function subject(text: string): SubjectPart[] {
  return text
    .split(/(<[^>]+>)/)
    .filter((s) => s !== "")
    .map((s): SubjectPart => {
      const m = /^<(\?)?([^>]+)>$/.exec(s);
      return m ? { hole: m[2] === "id" ? "digits" : "any", varies: !m[1], label: m[2]! } : { lit: s };
    });
}

const CASES: Array<[string, string[], string, Verdict]> = [
  ["StringLike", ["repo:o/r:*"], "repo:o/r:ref:refs/heads/main", "all"],
  ["StringLike", ["repo:o/r:*"], "repo:o/r:pull_request", "all"],
  ["StringLike", ["repo:o/r:*"], "repo:o/other:pull_request", "none"],
  ["StringEquals", ["repo:o/r:*"], "repo:o/r:ref:refs/heads/main", "none"],
  ["StringEquals", ["repo:o/r:ref:refs/heads/main"], "repo:o/r:ref:refs/heads/main", "all"],
  ["StringEquals", ["repo:o/r:ref:refs/heads/main"], "repo:o/r:ref:refs/heads/Main", "none"],
  ["StringLike", ["repo:O/r:*"], "repo:o/r:ref:refs/heads/main", "none"],
  ["StringEqualsIgnoreCase", ["repo:O/R:ref:refs/heads/MAIN"], "repo:o/r:ref:refs/heads/main", "all"],
  ["StringNotEqualsIgnoreCase", ["repo:O/R:pull_request"], "repo:o/r:pull_request", "none"],
  ["StringLike", ["repo:o/r:ref:refs/heads/ma?n"], "repo:o/r:ref:refs/heads/main", "all"],
  ["StringLike", ["repo:o/r:ref:refs/heads/?"], "repo:o/r:ref:refs/heads/main", "none"],
  ["StringLike", ["*"], "repo:o/r:environment:prod", "all"],
  ["StringLike", ["repo:*"], "repo:o/r:environment:prod", "all"],
  ["StringLike", ["repo:o/*"], "repo:o/r:ref:refs/heads/feature/x", "all"],
  ["StringLike", ["repo:o/r:ref:refs/heads/main"], "repo:o/r:ref:refs/heads/<branch>", "some"],
  ["StringLike", ["repo:o/r:ref:refs/heads/*"], "repo:o/r:ref:refs/heads/<branch>", "all"],
  ["StringLike", ["repo:o/r:ref:refs/heads/release/*"], "repo:o/r:ref:refs/heads/<branch>", "some"],
  ["StringLike", ["repo:o/r:ref:refs/tags/*"], "repo:o/r:ref:refs/heads/<branch>", "none"],
  ["StringLike", ["repo:o/r:environment:prod"], "repo:o/r:ref:refs/heads/<branch>", "none"],
  ["StringEquals", ["repo:o/r:ref:refs/heads/main", "repo:o/r:pull_request"], "repo:o/r:pull_request", "all"],
  ["StringNotLike", ["repo:o/r:pull_request"], "repo:o/r:pull_request", "none"],
  ["StringNotLike", ["repo:o/r:pull_request"], "repo:o/r:ref:refs/heads/main", "all"],
  ["StringNotLike", ["repo:o/r:ref:refs/heads/main"], "repo:o/r:ref:refs/heads/<branch>", "some"],
  ["ForAnyValue:StringLike", ["repo:o/r:*"], "repo:o/r:environment:int", "all"],
  ["ForAllValues:StringEquals", ["repo:o/r:environment:int"], "repo:o/r:environment:int", "all"],
  ["StringLikeIfExists", ["repo:o/r:*"], "repo:o/r:pull_request", "all"],
  ["ForAnyValue:StringLike", [""], "repo:o/r:pull_request", "none"],
  // Values credflow does not know: a subject part or a pattern part.
  ["StringLike", ["repo:o/r:ref:refs/heads/main"], "repo:<?repo>:ref:refs/heads/main", "unknown"],
  ["StringLike", ["repo:o/r:ref:refs/heads/main"], "repo:<?repo>:pull_request", "none"],
  ["StringLike", ["repo:${?}:ref:refs/heads/main"], "repo:o/r:ref:refs/heads/main", "unknown"],
  ["StringLike", ["repo:${?}:ref:refs/heads/main"], "repo:o/r:pull_request", "none"],
  ["StringLike", ["repo:o/r:environment:prod"], "repo:o/r:environment:<?env>", "unknown"],
  ["StringLike", ["repo:o/r:ref:refs/heads/main"], "repo:o/r:environment:<?env>", "none"],
  // Immutable subject claims against name-only patterns, and the other way round.
  ["StringLike", ["repo:o/r:*"], "repo:o@<?id>/r@<?id>:ref:refs/heads/main", "none"],
  ["StringLike", ["repo:o@12/r@34:*"], "repo:o@12/r@34:ref:refs/heads/main", "all"],
  ["StringLike", ["repo:o@*/r@*:*"], "repo:o@<?id>/r@<?id>:pull_request", "all"],
];

describe("IAM string conditions", () => {
  for (const [op, values, sub, want] of CASES) {
    it(`${op} ${JSON.stringify(values)} vs ${sub} → ${want}`, () => {
      const parsed = parseOperator(op);
      expect(parsed).toBeDefined();
      expect(judgeValues(subject(sub), values.map(value), parsed!)).toBe(want);
    });
  }

  it("parses operators case-insensitively, with set prefixes and IfExists, and only string operators", () => {
    expect(parseOperator("stringlike")).toMatchObject({ base: "Like", negated: false });
    expect(parseOperator("ForAnyValue:StringNotEquals")).toMatchObject({ base: "Equals", negated: true, set: "ForAnyValue" });
    expect(parseOperator("StringEqualsIfExists")).toMatchObject({ base: "Equals", ifExists: true });
    expect(parseOperator("StringLikeIgnoreCase")).toBeUndefined();
    expect(parseOperator("ArnLike")).toBeUndefined();
    expect(parseOperator("Null")).toBeUndefined();
  });
});

function cond(operator: string, claim: string, values: string[]): TrustCondition {
  return { operator, operatorAt: at, siblingOperators: [], key: `token.actions.githubusercontent.com:${claim}`, keyAt: at, values: values.map(value) };
}

function statement(conditions: TrustCondition[], extra: Partial<TrustStatement> = {}): TrustStatement {
  return { at, effect: "Allow", provider: { kind: "github", partition: "aws" }, webIdentity: true, conditions, conditionsComplete: true, ...extra };
}

const claims = (sub: string, aud = "sts.amazonaws.com"): TokenClaims => ({ sub: subject(sub), aud: subject(aud) });

describe("IAM statements and policies", () => {
  const aud = cond("StringEquals", "aud", ["sts.amazonaws.com"]);
  const main = cond("StringLike", "sub", ["repo:o/r:ref:refs/heads/main"]);

  it("ANDs the keys of a statement", () => {
    expect(judgePolicy([statement([aud, main])], claims("repo:o/r:ref:refs/heads/main"))).toBe("all");
    expect(judgePolicy([statement([aud, main])], claims("repo:o/r:ref:refs/heads/main", "my-audience"))).toBe("none");
    expect(judgePolicy([statement([aud, main])], claims("repo:o/r:ref:refs/heads/main", "<?aud>"))).toBe("unknown");
  });

  it("ORs statements", () => {
    const pr = statement([cond("StringEquals", "sub", ["repo:o/r:pull_request"])]);
    expect(judgePolicy([statement([main]), pr], claims("repo:o/r:pull_request"))).toBe("all");
    expect(judgePolicy([statement([main]), pr], claims("repo:o/r:ref:refs/tags/v1"))).toBe("none");
  });

  it("lets a matching Deny win", () => {
    const deny = statement([cond("StringLike", "sub", ["repo:o/r:pull_request"])], { effect: "Deny" });
    const all = statement([cond("StringLike", "sub", ["repo:o/r:*"])]);
    expect(judgePolicy([all, deny], claims("repo:o/r:pull_request"))).toBe("none");
    expect(judgePolicy([all, deny], claims("repo:o/r:ref:refs/heads/main"))).toBe("all");
  });

  it("ignores statements for other principals or actions, and keeps unknown ones unknown", () => {
    expect(judgePolicy([statement([main], { provider: { kind: "other", text: "x" } })], claims("repo:o/r:ref:refs/heads/main"))).toBe("none");
    expect(judgePolicy([statement([main], { webIdentity: false })], claims("repo:o/r:ref:refs/heads/main"))).toBe("none");
    expect(judgePolicy([statement([main], { provider: { kind: "unknown", why: "x" } })], claims("repo:o/r:ref:refs/heads/main"))).toBe("all");
    expect(judgePolicy([statement([], { provider: { kind: "unknown", why: "x" } })], claims("repo:o/r:ref:refs/heads/main"))).toBe("unknown");
    expect(judgePolicy([statement([main], { conditionsComplete: false })], claims("repo:o/r:ref:refs/heads/main"))).toBe("unknown");
    expect(judgePolicy([statement([main], { conditionsComplete: false })], claims("repo:o/r:pull_request"))).toBe("none");
  });

  it("does not judge condition keys other than sub and aud", () => {
    const wf = cond("StringLike", "job_workflow_ref", ["o/r/.github/workflows/deploy.yml@*"]);
    expect(judgePolicy([statement([main, wf])], claims("repo:o/r:ref:refs/heads/main"))).toBe("unknown");
    expect(judgePolicy([statement([main, wf])], claims("repo:o/r:pull_request"))).toBe("none");
  });

  it("accepts any subject when a statement has no sub condition", () => {
    expect(judgePolicy([statement([aud])], claims("repo:x/y:pull_request"))).toBe("all");
  });
});
