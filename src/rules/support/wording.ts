/** Small pieces of message wording shared by every rule. */

/** Text in backticks, with backticks inside it turned into quotes (it must not end the span). */
export function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** "1 job", "3 jobs". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
