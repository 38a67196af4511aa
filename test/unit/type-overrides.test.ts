import { describe, expect, it } from "vitest";
import type { SqliteCatalog } from "../../src/core/catalog.js";
import { assertOverridesExist } from "../../src/pipeline/prepare.js";

const column = (name: string) => ({ name, declaredType: "INTEGER", notNull: false, defaultSql: null, pkOrder: 0, hidden: 0 });
const catalog = {
  tables: [
    { name: "account", columns: [column("id"), column("views")] },
    { name: "a.b", columns: [column("c")] },
  ],
  views: [],
  triggers: [],
} as unknown as SqliteCatalog;

describe("--type overrides must name a column of the file", () => {
  it("accepts existing columns, dotted table names included", () => {
    expect(() => assertOverridesExist(catalog, new Map([["account.views", "BigInt"], ["a.b.c", "String"]]))).not.toThrow();
  });

  it("refuses a misspelt table, naming the tables", () => {
    expect(() => assertOverridesExist(catalog, new Map([["acount.views", "BigInt"]]))).toThrow(
      expect.objectContaining({ kind: "usage", message: '--type acount.views=BigInt: no table of the file (among those selected) has a column "acount.views"', hint: expect.stringContaining("account, a.b") }),
    );
  });

  it("refuses a misspelt column, naming the table's columns", () => {
    expect(() => assertOverridesExist(catalog, new Map([["account.view", "BigInt"]]))).toThrow(
      expect.objectContaining({ message: '--type account.view=BigInt: table "account" has no column "view"', hint: "its columns: id, views" }),
    );
  });
});
