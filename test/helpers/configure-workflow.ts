/** A workflow with one configure-aws-credentials step, for the AWS input rules' unit tests. */
export interface ConfigureWorkflowOptions {
  /** Line ending (CRLF tests). */
  eol?: string;
  /** Top-level `permissions:` lines; default grants `id-token: write`. */
  permissions?: string[];
}

/** `withLines` are the step's `with:` entries, one per line, without indentation. */
export function configureWorkflow(ref: string, withLines: string[], opts: ConfigureWorkflowOptions = {}): string {
  return [
    "on: push",
    ...(opts.permissions ?? ["permissions:", "  id-token: write"]),
    "jobs:",
    "  j:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    `      - uses: aws-actions/configure-aws-credentials@${ref}`,
    "        with:",
    ...withLines.map((l) => `          ${l}`),
    "",
  ].join(opts.eol ?? "\n");
}
