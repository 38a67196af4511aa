import { getSchema, printSchema } from "@mrleebo/prisma-ast";
import { readFileSync } from "node:fs";
const s = readFileSync("test/fixtures/prisma-project/schema.prisma", "utf8");
const ast = getSchema(s);
console.log(printSchema(ast));
console.log(JSON.stringify(ast.list.find(b=>b.type==="enum"), null, 1).slice(0,800));
const m = ast.list.find(b=>b.name==="Article");
console.log(JSON.stringify(m.properties.filter(p=>p.type==="attribute"), null, 1).slice(0,1500));
console.log(JSON.stringify(m.properties.find(p=>p.name==="author"), null, 1).slice(0,1500));
