import type { Report, Rule } from "../types.js";
import type { GraphIssue } from "../../graph/types.js";

function parts(kind: GraphIssue["kind"]): Pick<Report, "why" | "hint" | "label"> {
  switch (kind) {
    case "depth":
      return { why: "credflow stops following here, so problems further down are not reported", hint: "flatten the nesting if you can" };
    case "cycle":
      return { why: "GitHub cannot expand a cycle, so the job fails", hint: "break the cycle", label: "closes the cycle" };
    case "outside":
      return { why: "GitHub resolves `./` paths inside the checked-out repository only", hint: "keep the action or workflow inside the repository" };
    case "not-composite":
      return { why: "a step can only run an action, and a workflow is not one", hint: "call the workflow from a job's `uses:`" };
    case "parse":
      return { why: "credflow cannot follow credentials through an action file it cannot read", hint: "correct the action's file" };
    default:
      return { why: "the job fails when it reaches this step", hint: "correct the path, or check the action out before this step", label: "nothing there" };
  }
}

/** `uses: ./…` that cannot be followed: missing targets, cycles, paths leaving the repository, too deep. */
export const localActionResolution: Rule = {
  id: "local-action-resolution",
  title: "Local action or reusable workflow cannot be resolved",
  description: "Reports `uses: ./…` references that point to nothing, leave the repository, form a cycle, or nest deeper than GitHub allows.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "high",
  fixable: false,
  check(ctx) {
    for (const i of ctx.graph.issues) {
      ctx.report({ level: i.kind === "depth" ? "warning" : "error", message: i.message, ...parts(i.kind), location: { path: i.file.path, range: i.range } });
    }
  },
};
