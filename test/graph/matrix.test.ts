import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeMatrix, countJobs } from "../../src/graph/matrix.js";
import type { MatrixAxis, MatrixModel, Range, ScalarNode, Strategy } from "../../src/model/types.js";

// ---------------------------------------------------------------------------------------------
// Hand-built model objects (positions are dummies: matrix counting never looks at them).

function range(): Range {
  return { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };
}

function scalar(value: string): ScalarNode {
  return { value, range: range(), isExpression: value.includes("${{"), style: "PLAIN" };
}

type Value = string | number;
type Combo = Record<string, Value>;

function axis(name: string, values: Value[] | string): MatrixAxis {
  if (typeof values === "string") return { name }; // an expression: size unknown
  return { name, size: values.length, values: values.map(String) };
}

function combos(list: Combo[] | "dynamic" | undefined): MatrixModel["include"] {
  if (list === undefined) return [];
  if (list === "dynamic") return "dynamic";
  return list.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)])));
}

interface MatrixSpec {
  axes?: Record<string, Value[] | string>;
  include?: Combo[] | "dynamic";
  exclude?: Combo[] | "dynamic";
  dynamic?: boolean;
  maxParallel?: string;
  noMatrix?: boolean;
}

function strategy(spec: MatrixSpec): Strategy {
  const s: Strategy = { keyRange: range() };
  if (!spec.noMatrix) {
    s.matrix = {
      keyRange: range(),
      range: range(),
      dynamic: spec.dynamic ?? false,
      axes: Object.entries(spec.axes ?? {}).map(([name, values]) => axis(name, values)),
      include: combos(spec.include),
      exclude: combos(spec.exclude),
    };
  }
  if (spec.maxParallel !== undefined) s.maxParallel = scalar(spec.maxParallel);
  return s;
}

const range10 = Array.from({ length: 10 }, (_, i) => i);

// ---------------------------------------------------------------------------------------------
// Independent oracles for the property tests.

/** GitHub's documented algorithm, literally: build every job object. */
function simulate(axes: Record<string, string[]>, exclude: Array<Record<string, string>>, include: Array<Record<string, string>>): number {
  const names = Object.keys(axes);
  let base: Array<Record<string, string>> = names.length === 0 ? [] : [{}];
  for (const name of names) base = base.flatMap((c) => axes[name]!.map((v) => ({ ...c, [name]: v })));
  base = base.filter((c) => !exclude.some((e) => Object.entries(e).every(([k, v]) => c[k] === v)));
  const jobs = base.map((c) => ({ original: c, added: {} as Record<string, string> }));
  const extra: Array<Record<string, string>> = [];
  for (const inc of include) {
    let merged = false;
    for (const job of jobs) {
      const fits = Object.entries(inc).every(([k, v]) => !names.includes(k) || job.original[k] === v);
      if (!fits) continue;
      merged = true;
      for (const [k, v] of Object.entries(inc)) if (!names.includes(k)) job.added[k] = v;
    }
    if (!merged) extra.push(inc);
  }
  return jobs.length + extra.length;
}

/** Remaining combinations by inclusion–exclusion over every subset of excludes (distinct axis values). */
function inclusionExclusion(sizes: number[], exclude: Array<Map<number, number>>): number {
  const product = sizes.reduce((p, s) => p * s, 1);
  let union = 0;
  for (let mask = 1; mask < 1 << exclude.length; mask++) {
    const fixed = new Map<number, number>();
    let conflict = false;
    let bits = 0;
    exclude.forEach((e, j) => {
      if (!(mask & (1 << j))) return;
      bits++;
      for (const [axisIndex, value] of e) {
        if (fixed.has(axisIndex) && fixed.get(axisIndex) !== value) conflict = true;
        fixed.set(axisIndex, value);
      }
    });
    if (conflict) continue;
    const size = sizes.reduce((p, s, i) => p * (fixed.has(i) ? 1 : s), 1);
    union += bits % 2 === 1 ? size : -size;
  }
  return product - union;
}

// ---------------------------------------------------------------------------------------------

describe("computeMatrix: no matrix", () => {
  it("counts a job without strategy as one job", () => {
    expect(computeMatrix(undefined)).toEqual({ count: 1, product: 1, axisSizes: [], concurrency: 1, overLimit: false });
  });

  it("honours max-parallel on a strategy without matrix", () => {
    const info = computeMatrix(strategy({ noMatrix: true, maxParallel: "3" }));
    expect(info).toMatchObject({ count: 1, maxParallel: 3, concurrency: 1, overLimit: false });
  });
});

describe("computeMatrix: GitHub docs examples", () => {
  it("multiplies a 3×2 version/os matrix into 6 jobs", () => {
    const info = computeMatrix(
      strategy({ axes: { version: [10, 12, 14], os: ["ubuntu-22.04", "ubuntu-20.04"] } }),
    );
    expect(info).toEqual({ count: 6, product: 6, axisSizes: [3, 2], concurrency: 6, overLimit: false });
  });

  it("removes full and partial exclude matches (12 − 1 − 2 = 9)", () => {
    const info = computeMatrix(
      strategy({
        axes: {
          os: ["macos-latest", "windows-latest"],
          version: [12, 14, 16],
          environment: ["staging", "production"],
        },
        exclude: [
          { os: "macos-latest", version: 12, environment: "production" },
          { os: "windows-latest", version: 16 },
        ],
      }),
    );
    expect(info).toMatchObject({ count: 9, product: 12, axisSizes: [2, 3, 2] });
  });

  it("merges includes into matching combinations and adds the rest as new jobs (6)", () => {
    const info = computeMatrix(
      strategy({
        axes: { fruit: ["apple", "pear"], animal: ["cat", "dog"] },
        include: [
          { color: "green" },
          { color: "pink", animal: "cat" },
          { fruit: "apple", shape: "circle" },
          { fruit: "banana" },
          { fruit: "banana", animal: "cat" },
        ],
      }),
    );
    expect(info).toMatchObject({ count: 6, product: 4, axisSizes: [2, 2] });
  });

  it("expands an existing combination without adding a job", () => {
    const info = computeMatrix(
      strategy({
        axes: { os: ["windows-latest", "ubuntu-latest"], node: [14, 16] },
        include: [{ os: "windows-latest", node: 16, npm: 6 }],
      }),
    );
    expect(info.count).toBe(4);
  });

  it("adds an include that would overwrite an original value as a new job", () => {
    const info = computeMatrix(
      strategy({
        axes: { os: ["windows-latest", "ubuntu-latest"], node: [14, 16] },
        include: [{ os: "macos-latest", node: 16 }],
      }),
    );
    expect(info.count).toBe(5);
  });

  it("counts each entry of an include-only matrix as one job", () => {
    const info = computeMatrix(
      strategy({
        include: [
          { site: "production", datacenter: "site-a" },
          { site: "staging", datacenter: "site-b" },
        ],
      }),
    );
    expect(info).toMatchObject({ count: 2, product: 0, axisSizes: [], concurrency: 2 });
  });
});

describe("computeMatrix: include/exclude interplay", () => {
  it("processes exclude before include: an include for an excluded combination is a new job", () => {
    const info = computeMatrix(
      strategy({
        axes: { os: ["a", "b"], node: [1, 2] },
        exclude: [{ os: "a", node: 1 }],
        include: [{ os: "a", node: 1, extra: "x" }],
      }),
    );
    expect(info.count).toBe(4);
  });

  it("merges an include into another remaining combination when one is excluded", () => {
    const info = computeMatrix(
      strategy({ axes: { os: ["a", "b"], node: [1, 2] }, exclude: [{ os: "a", node: 1 }], include: [{ os: "a" }] }),
    );
    expect(info.count).toBe(3);
  });

  it("turns an axis-free include into a job when every combination is excluded", () => {
    const info = computeMatrix(
      strategy({ axes: { os: ["a"] }, exclude: [{ os: "a" }], include: [{ color: "green" }] }),
    );
    expect(info.count).toBe(1);
  });

  it("does not let a new job from include absorb later includes", () => {
    const info = computeMatrix(
      strategy({ axes: { os: ["a"] }, include: [{ os: "z" }, { os: "z", extra: "1" }] }),
    );
    expect(info.count).toBe(3);
  });

  it("counts repeated axis values as separate jobs, and excludes remove every copy", () => {
    expect(computeMatrix(strategy({ axes: { node: [14, 14, 16] } })).count).toBe(3);
    expect(computeMatrix(strategy({ axes: { node: [14, 14, 16], os: ["a", "b"] }, exclude: [{ node: 14 }] })).count).toBe(2);
  });

  it("ignores exclude entries on keys that are not axes or values an axis does not have", () => {
    const info = computeMatrix(
      strategy({ axes: { os: ["a", "b"] }, exclude: [{ color: "green" }, { os: "c" }, { os: "a", color: "x" }] }),
    );
    expect(info.count).toBe(2);
  });

  it("treats an empty exclude entry as matching everything", () => {
    expect(computeMatrix(strategy({ axes: { os: ["a", "b"] }, exclude: [{}] })).count).toBe(0);
  });

  it("compares numbers and strings by their text", () => {
    const info = computeMatrix(strategy({ axes: { node: [14, 16] }, exclude: [{ node: "14" }] }));
    expect(info.count).toBe(1);
  });

  it("counts an axis with no values as zero jobs", () => {
    const info = computeMatrix(strategy({ axes: { os: [], node: "${{ fromJSON(inputs.n) }}" }, include: [{ x: 1 }] }));
    expect(info).toMatchObject({ count: 0, product: 0, concurrency: 0, overLimit: false });
  });

  it("counts a matrix with neither axes nor include as zero jobs", () => {
    expect(computeMatrix(strategy({})).count).toBe(0);
  });
});

describe("computeMatrix: run-time values", () => {
  it("reports an expression axis as unknown", () => {
    const info = computeMatrix(strategy({ axes: { os: ["a", "b"], node: "${{ fromJSON(needs.setup.outputs.nodes) }}" } }));
    expect(info).toEqual({ count: "unknown", axisSizes: [2], concurrency: "unknown", overLimit: false });
  });

  it("reports a whole-matrix expression as unknown", () => {
    const info = computeMatrix(strategy({ dynamic: true, maxParallel: "4" }));
    expect(info).toEqual({ count: "unknown", axisSizes: [], maxParallel: 4, concurrency: 4, overLimit: false });
  });

  it("reports dynamic include or exclude as unknown but keeps the product", () => {
    for (const spec of [{ include: "dynamic" as const }, { exclude: "dynamic" as const }]) {
      const info = computeMatrix(strategy({ axes: { os: ["a", "b"], node: [1, 2, 3] }, ...spec }));
      expect(info).toMatchObject({ count: "unknown", product: 6, axisSizes: [2, 3], concurrency: "unknown" });
    }
  });

  it("reports unknown when an exclude compares a run-time value", () => {
    expect(computeMatrix(strategy({ axes: { os: ["a", "b"] }, exclude: [{ os: "${{ inputs.skip }}" }] })).count).toBe(
      "unknown",
    );
    expect(computeMatrix(strategy({ axes: { os: ["a", "${{ inputs.os }}"] }, exclude: [{ os: "a" }] })).count).toBe(
      "unknown",
    );
  });

  it("still counts when a run-time value takes part in no comparison", () => {
    const info = computeMatrix(
      strategy({
        axes: { os: ["a", "${{ inputs.os }}"], node: [1, 2], arch: ["x64", "arm64"] },
        // The second entry cannot match: arch has no "riscv", whatever inputs.n is.
        exclude: [{ node: 1 }, { arch: "riscv", node: "${{ inputs.n }}" }],
        include: [{ node: 2, label: "${{ github.ref }}" }],
      }),
    );
    expect(info.count).toBe(4);
  });
});

describe("computeMatrix: max-parallel", () => {
  const axes = { os: ["a", "b", "c"], node: [1, 2] };

  it("bounds concurrency by a literal max-parallel", () => {
    expect(computeMatrix(strategy({ axes, maxParallel: "2" }))).toMatchObject({ count: 6, maxParallel: 2, concurrency: 2 });
  });

  it("leaves concurrency at the count when max-parallel is larger", () => {
    expect(computeMatrix(strategy({ axes, maxParallel: "10" }))).toMatchObject({ count: 6, maxParallel: 10, concurrency: 6 });
  });

  it("ignores an expression max-parallel", () => {
    const info = computeMatrix(strategy({ axes, maxParallel: "${{ inputs.parallel }}" }));
    expect(info.maxParallel).toBeUndefined();
    expect(info.concurrency).toBe(6);
  });
});

describe("computeMatrix: large matrices", () => {
  it("counts 10^6 combinations with an exclude instantly", () => {
    const axes = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((n) => [n, range10]));
    const started = process.cpuUsage();
    const info = computeMatrix(strategy({ axes, exclude: [{ a: 0, b: 1 }], maxParallel: "20" }));
    // CPU time, not wall-clock: arithmetic counting, not a million-job enumeration.
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(200);
    expect(info).toEqual({
      count: 1_000_000 - 10_000,
      product: 1_000_000,
      axisSizes: [10, 10, 10, 10, 10, 10],
      maxParallel: 20,
      concurrency: 20,
      overLimit: true,
    });
  });

  it("handles overlapping excludes and includes on 10^6 combinations exactly", () => {
    const axes = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((n) => [n, range10]));
    const info = computeMatrix(
      strategy({
        axes,
        // |a=0| + |b=0| − |a=0 ∧ b=0| = 100000 + 100000 − 10000; the third is inside the first.
        exclude: [{ a: 0 }, { b: 0 }, { a: 0, c: 5 }],
        include: [
          { a: 0, extra: "new job" }, // every a=0 combination is gone
          { a: 1, b: 1, extra: "merged" },
          { a: 11 }, // no such value
        ],
      }),
    );
    expect(info.count).toBe(1_000_000 - 190_000 + 2);
  });

  it("counts 10^30 combinations without enumerating", () => {
    const axes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x${i}`, range10]));
    const info = computeMatrix(strategy({ axes, exclude: [{ x0: 1 }, { x29: 2, x0: 1 }, { x3: 4, x17: 9 }] }));
    expect(info.product).toBeCloseTo(1e30, -16);
    expect(info.overLimit).toBe(true);
    // |x0=1| = 10^29 covers the second entry; |x3=4 ∧ x17=9| = 10^28 overlaps it in 10^27.
    expect(info.count).toBeCloseTo(1e30 - 1e29 - 1e28 + 1e27, -16);
  });

  it("flags more than 256 jobs as over the limit, and exactly 256 as within it", () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => i);
    expect(computeMatrix(strategy({ axes: { a: sixteen, b: sixteen } }))).toMatchObject({ count: 256, overLimit: false });
    expect(computeMatrix(strategy({ axes: { a: sixteen, b: sixteen }, include: [{ a: 99 }] }))).toMatchObject({
      count: 257,
      overLimit: true,
    });
    const seventeen = Array.from({ length: 17 }, (_, i) => i);
    expect(computeMatrix(strategy({ axes: { a: sixteen, b: seventeen } }))).toMatchObject({ count: 272, overLimit: true });
  });

  it("falls back to a lower bound only when it is over the limit", () => {
    const big = [axis("a", range10), axis("b", range10), axis("c", range10), axis("d", range10)];
    // 10^4 − 1000 − 1000 = 8000 is a lower bound of the true 8100.
    expect(countJobs(big, [{ a: "0" }, { b: "0" }], [], { enumerationLimit: 0, searchBudget: 0 })).toBe(8000);
    expect(countJobs(big, [{ a: "0" }, { b: "0" }], [], { enumerationLimit: 0 })).toBe(8100);
    const small = [axis("a", [1, 2]), axis("b", [1, 2])];
    expect(countJobs(small, [{ a: "1" }], [], { enumerationLimit: 0, searchBudget: 0 })).toBe("unknown");
  });
});

describe("countJobs: properties", () => {
  const alphabet = ["a", "b", "c"];
  const entry = (keys: string[], values: string[]) =>
    fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 3 });
  const matrixArb = fc.record({
    axes: fc.array(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 4 }), { maxLength: 4 }),
    exclude: fc.array(entry(["x0", "x1", "x2", "x3", "q"], [...alphabet, "d"]), { maxLength: 4 }),
    include: fc.array(entry(["x0", "x1", "x2", "x3", "color"], [...alphabet, "d"]), { maxLength: 4 }),
  });

  it("agrees with GitHub's algorithm simulated job by job, enumerating or not", () => {
    fc.assert(
      fc.property(matrixArb, ({ axes, exclude, include }) => {
        const named = Object.fromEntries(axes.map((values, i) => [`x${i}`, values]));
        const model = axes.map((values, i) => axis(`x${i}`, values));
        const expected = simulate(named, exclude, include);
        expect(countJobs(model, exclude, include, { enumerationLimit: Infinity })).toBe(expected);
        expect(countJobs(model, exclude, include, { enumerationLimit: 0 })).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("matches inclusion–exclusion on products far too large to enumerate", () => {
    const sizes = [7, 10, 3, 10, 10, 5, 10, 10, 2, 10, 10, 10];
    const excludeArb = fc.array(
      fc.uniqueArray(fc.nat({ max: sizes.length - 1 }), { minLength: 1, maxLength: 4 }).chain((axesNamed) =>
        fc.tuple(...axesNamed.map((i) => fc.tuple(fc.constant(i), fc.nat({ max: sizes[i]! - 1 })))),
      ),
      { maxLength: 10 },
    );
    const model = sizes.map((s, i) => axis(`x${i}`, Array.from({ length: s }, (_, v) => v)));
    fc.assert(
      fc.property(excludeArb, (pairs) => {
        const exclude = pairs.map((p) => Object.fromEntries(p.map(([i, v]) => [`x${i}`, String(v)])));
        const expected = inclusionExclusion(sizes, pairs.map((p) => new Map(p)));
        expect(countJobs(model, exclude, [])).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});
