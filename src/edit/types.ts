/** Text edits and fixes: what rules propose and the fixer applies. */

/** A replacement of `[start, end)` (string offsets into the file's text) by `text`. */
export interface TextEdit {
  path: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  /** Safe: the same code runs afterwards. Unsafe: behaviour may change. */
  safe: boolean;
  edits: TextEdit[];
}
