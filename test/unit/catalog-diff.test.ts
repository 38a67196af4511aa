import { describe, expect, it } from "vitest";
import type { ColumnFacts, SchemaCatalog, TableFacts } from "../../src/verify/drift/catalog.js";
import { countObjects, diffCatalogs } from "../../src/verify/drift/catalog-diff.js";

const column = (type: string, more: Partial<ColumnFacts> = {}): ColumnFacts => ({
  type,
  notNull: false,
  default: null,
  identity: "",
  generated: null,
  collation: null,
  ...more,
});

const table = (columns: Record<string, ColumnFacts>, constraints: Record<string, string> = {}): TableFacts => ({
  kind: "table",
  unlogged: false,
  columns: new Map(Object.entries(columns)),
  constraints: new Map(Object.entries(constraints)),
});

function catalog(parts: Partial<SchemaCatalog> = {}): SchemaCatalog {
  return {
    tables: new Map(),
    views: new Map(),
    indexes: new Map(),
    sequences: new Map(),
    triggers: new Map(),
    enums: new Map(),
    functions: new Map(),
    hasMigrationsTable: true,
    ...parts,
  };
}

const post = table(
  { id: column("integer", { notNull: true, default: "nextval('post_id_seq'::regclass)" }), title: column("text", { notNull: true }) },
  { post_pkey: "PRIMARY KEY (id)" },
);

describe("diffCatalogs", () => {
  it("finds nothing between equal descriptions", () => {
    const a = catalog({ tables: new Map([["post", post]]) });
    expect(diffCatalogs(a, catalog({ tables: new Map([["post", post]]) }))).toEqual([]);
    expect(countObjects(a)).toBe(4);
  });

  it("names columns, constraints, indexes, views, sequences and enums that differ", () => {
    const migrations = catalog({
      tables: new Map([["post", post], ["gone", table({ x: column("text") })]]),
      views: new Map([["v", { kind: "view", definition: " SELECT 1 AS x;" }]]),
      indexes: new Map([["post_title", { table: "post", definition: "CREATE INDEX post_title ON post USING btree (title)" }]]),
      sequences: new Map([["post_id_seq", { type: "integer", start: "1", increment: "1", min: "1", max: "2147483647", cache: "1", cycle: false, ownedBy: "post.id" }]]),
      enums: new Map([["Role", "'a', 'b'"]]),
    });
    const database = catalog({
      tables: new Map([
        [
          "post",
          table(
            { id: column("integer", { notNull: true, default: "nextval('post_id_seq'::regclass)" }), title: column("character varying(200)"), extra: column("text") },
            { post_pkey: "PRIMARY KEY (id)", post_check: "CHECK (id > 0)" },
          ),
        ],
      ]),
      views: new Map([["v", { kind: "view", definition: " SELECT 2 AS x;" }]]),
      sequences: new Map([["post_id_seq", { type: "bigint", start: "1", increment: "1", min: "1", max: "2147483647", cache: "1", cycle: false, ownedBy: "post.id" }]]),
      enums: new Map([["Role", "'a', 'b', 'c'"]]),
    });
    expect(diffCatalogs(migrations, database)).toEqual([
      "table gone missing in database",
      "table post: extra column extra in database (text)",
      "table post: column title type text in migrations, character varying(200) in database",
      "table post: column title NOT NULL in migrations, nullable in database",
      "table post: extra constraint post_check in database (CHECK (id > 0))",
      "view v: definition SELECT 1 AS x; in migrations, SELECT 2 AS x; in database",
      "index post_title missing in database (CREATE INDEX post_title ON post USING btree (title))",
      "sequence post_id_seq: type integer in migrations, bigint in database",
      "enum Role is 'a', 'b' in migrations, 'a', 'b', 'c' in database",
    ]);
  });
});
