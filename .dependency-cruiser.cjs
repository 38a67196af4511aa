/**
 * Import rules (https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md), run by
 * `npm run lint:deps` and CI. The stages are layered: a folder may import only from the folders below it, so no
 * two folders form a cycle (type imports included). docs/architecture.md explains the layers.
 */
// Bottom to top. `core` is the shared vocabulary (errors, events, problems, decisions, catalog types, quoting),
// `values` the pure value code (encoders, PostgreSQL text spelling, timestamps), `db` the thin I/O adapters.
const LAYERS = ["core", "values", "convert", "db", "introspect", "profile", "plan", "copy", "apply", "verify", "sync", "prisma-project", "report", "pipeline", "cli"];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer}-imports-only-below`,
  comment: `src/${layer}/ may import only from ${LAYERS.slice(0, i).join(", ") || "nothing in src"} (the layers below it)`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join("|")})/`, dependencyTypesNot: [] },
}));

/** Modules that touch a database, a file, a process or the network. */
const IO = "^(better-sqlite3|pg|pg-copy-streams|pg-connection-string|@electric-sql/pglite|@prisma/|prisma$|node:(fs|child_process|net|tls|worker_threads|os)|fs|child_process)";

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "pure-convert-and-values",
      comment: "convert/, values/ and core/ are pure: no database, file, process or network access (architecture.md)",
      severity: "error",
      from: { path: "^src/(convert|values|core)/" },
      to: { dependencyTypes: ["npm", "core"], path: IO },
    },
    {
      name: "pure-convert-no-db",
      comment: "convert/ and values/ never import the I/O adapters",
      severity: "error",
      from: { path: "^src/(convert|values|core)/" },
      to: { path: "^src/db/" },
    },
    {
      name: "prisma-ast-through-ast-ts",
      comment: "prisma-ast's parser is reached only through convert/ast.ts's parseSchema, which releases its tokens (type imports are free)",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/convert/ast\\.ts$" },
      to: { path: "@mrleebo/prisma-ast", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "src-root-only-index",
      comment: "src/ holds only index.ts (the library API) beside the layer folders",
      severity: "error",
      from: { path: "^src/[^/]+\\.ts$", pathNot: "^src/index\\.ts$" },
      to: {},
    },
    {
      name: "no-circular",
      comment: "no import cycle between modules (type imports included)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-test-code-in-src",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|scripts)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
