/**
 * The top-level blocks of a schema.prisma, found without parsing it (PURE). prisma-ast builds ~20 KB of objects
 * per model and ~50 MB of garbage more per 1000 models; readers that need one block at a time (model-sample.ts,
 * field-names.ts) parse each block alone, so a 2000-model schema never sits in memory as one tree.
 */
export interface TopLevelBlock {
  readonly keyword: string;
  readonly name: string;
  /** Offsets in the text: the block's first line, and just past its closing brace. */
  readonly start: number;
  readonly end: number;
}

const HEADER = /^\s*(model|view|enum|type|datasource|generator)\s+(\w+)\s*$/;

/**
 * The top-level blocks of a schema.prisma (`model X { … }`), by brace depth outside string literals and `//`
 * comments (https://www.prisma.io/docs/orm/reference/prisma-schema-reference). Text that is not a block (comments,
 * blank lines) is left where it is.
 */
export function topLevelBlocks(text: string): TopLevelBlock[] {
  const blocks: TopLevelBlock[] = [];
  let depth = 0;
  let lineStart = 0;
  let open: { keyword: string; name: string; start: number } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") lineStart = i + 1;
    else if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"' && text[i] !== "\n"; i++) if (text[i] === "\\") i++;
    } else if (c === "{") {
      if (depth === 0) {
        const header = HEADER.exec(text.slice(lineStart, i));
        open = header ? { keyword: header[1], name: header[2], start: lineStart } : undefined;
      }
      depth++;
    } else if (c === "}" && depth > 0 && --depth === 0 && open) {
      blocks.push({ ...open, end: i + 1 });
      open = undefined;
    }
  }
  return blocks;
}
