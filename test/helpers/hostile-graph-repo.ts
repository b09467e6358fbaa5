/** A repository whose names hold quotes, backslashes, line breaks and markup, with cycles, bombs and garbage: for the graph tests. */
import { tempRepo } from "./temp-repo.js";

export const NASTY = 'j"x\\\\y\n]<b>--> %% end\r\n}';

export function hostileRepo(): string {
  return tempRepo({
    ".github/workflows/w.yml": [
      "on: push",
      "jobs:",
      `  ${JSON.stringify(NASTY)}:`,
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: ./act",
      `      - uses: ${JSON.stringify('./"]\\')}`,
      "      - uses: aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a",
      `        with: {role-to-assume: ${JSON.stringify(NASTY)}, aws-region: us-east-1}`,
      "  loop:",
      "    uses: ./.github/workflows/w.yml",
      "",
    ].join("\n"),
    [`.github/workflows/${'q"\\uote'}.yml`]: "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
    "act/action.yml": "runs:\n  using: composite\n  steps:\n    - uses: ./act\n    - run: echo\n      shell: bash\n",
    ".github/workflows/garbage.yml": Uint8Array.from([0, 255, 1, 2]),
    ".github/workflows/deep.yml": `on: push\njobs: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
  });
}
