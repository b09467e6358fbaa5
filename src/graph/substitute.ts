/** Replaces `${{ inputs.NAME }}` with the value a call site passed, so rules see literal values. */

const INPUT_EXPR = /\$\{\{\s*inputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])\s*\}\}/g;

/** Input values keyed by lower-cased name (GitHub matches input names case-insensitively). */
export type InputValues = Map<string, string>;

export function substitute(text: string, inputs: InputValues | undefined): string {
  if (!inputs || !text.includes("${{")) return text;
  return text.replace(INPUT_EXPR, (whole, dotted: string | undefined, quoted: string | undefined) => {
    const value = inputs.get((dotted ?? quoted ?? "").toLowerCase());
    return value === undefined ? whole : value;
  });
}
