import { describe, it, expect } from "vitest";
import { affinityOf, parseDeclaredType } from "../../src/convert/affinity.js";

describe("affinityOf (https://sqlite.org/datatype3.html#determination_of_column_affinity)", () => {
  it.each([
    // rule 1: contains INT
    ["INTEGER", "INTEGER"],
    ["int", "INTEGER"],
    ["tinyint", "INTEGER"],
    ["smallint", "INTEGER"],
    ["smallint unsigned", "INTEGER"],
    ["short integer", "INTEGER"],
    ["bigint", "INTEGER"],
    ["intege", "INTEGER"],
    ["integer auto_increment", "INTEGER"],
    ["UNSIGNED BIG INT", "INTEGER"],
    ["POINT", "INTEGER"],
    ["FLOATING POINT", "INTEGER"], // rule 1 wins over rule 4
    ["CHARINT", "INTEGER"], // rule 1 wins over rule 2
    // rule 2: CHAR, CLOB, TEXT
    ["NVARCHAR(160)", "TEXT"],
    ["character(20)", "TEXT"],
    ["char(70)", "TEXT"],
    ["VARYING CHARACTER(255)", "TEXT"],
    ["NATIONAL VARCHAR(10)", "TEXT"],
    ["text nocase", "TEXT"],
    ["CLOB", "TEXT"],
    // rule 3: BLOB or nothing
    ["BLOB", "BLOB"],
    ["", "BLOB"],
    ["  ", "BLOB"],
    // rule 4: REAL, FLOA, DOUB
    ["REAL", "REAL"],
    ["double", "REAL"],
    ["double precision", "REAL"],
    ['"double precision"', "REAL"],
    ["FLOAT", "REAL"],
    // rule 5: everything else
    ["numeric(20, 6)", "NUMERIC"],
    ["DECIMAL(10,5)", "NUMERIC"],
    ["BOOLEAN", "NUMERIC"],
    ["DATETIME", "NUMERIC"],
    ["date", "NUMERIC"],
    ["JSON", "NUMERIC"],
    ["STRING", "NUMERIC"], // a classic trap: not TEXT
  ])("%j → %s", (declared, affinity) => {
    expect(affinityOf(declared)).toBe(affinity);
  });
});

describe("parseDeclaredType", () => {
  it.each([
    ["NVARCHAR(160)", "nvarchar", [160]],
    ["numeric(20, 6)", "numeric", [20, 6]],
    ["NUMERIC(10,2)", "numeric", [10, 2]],
    ['"double precision"', "double precision", []],
    ["double   precision", "double precision", []],
    ["[varchar](20)", "varchar", [20]],
    ["`int`", "int", []],
    ["smallint unsigned", "smallint unsigned", []],
    ["text nocase", "text nocase", []],
    ["character(20)", "character", [20]],
    ["VARYING CHARACTER ( 255 )", "varying character", [255]],
    ["decimal(10,2) unsigned", "decimal unsigned", [10, 2]],
    ["numeric(-5)", "numeric", [-5]],
    ["", "", []],
    ["varchar(max)", "varchar", []],
  ])("%j → %j %j", (declared, base, params) => {
    expect(parseDeclaredType(declared)).toEqual({ base, params });
  });
});
