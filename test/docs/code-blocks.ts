/**
 * Extraction of the ```ts code blocks of a Markdown file, and the annotation that marks an error a
 * block shows on purpose: a comment line `// error: <text>` below the line that fails (other
 * comment lines, such as a `~~~~` underline, may sit in between).
 * `<text>` is the shapegrad catalogue message when the diagnostic carries one, else TypeScript's
 * first line of text.
 */
export interface CodeBlock {
  /** 1-based line in the Markdown file of the block's first code line. */
  readonly line: number;
  readonly code: string;
  /** Expected errors: the 1-based line within `code` they belong to, and the exact text. */
  readonly expectedErrors: readonly { readonly line: number; readonly text: string }[];
}

const fence = /^```(\w*)\s*$/;
const errorComment = /^\s*\/\/ error: (.*)$/;

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (open[1] === "ts" || open[1] === "typescript") {
      const code = lines.slice(start, end);
      const expectedErrors: { line: number; text: string }[] = [];
      code.forEach((l, k) => {
        const m = errorComment.exec(l);
        if (!m) return;
        // The failing line is the nearest line above that is not only a comment.
        let target = k - 1;
        while (target >= 0 && /^\s*\/\//.test(code[target])) target--;
        expectedErrors.push({ line: target + 1, text: m[1].trim() });
      });
      blocks.push({ line: start + 1, code: code.join("\n"), expectedErrors });
    }
    i = end;
  }
  return blocks;
}
