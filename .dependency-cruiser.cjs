// dependency-cruiser: the layer rules of docs/architecture.md and no runtime import cycles.
// `npm run lint:deps` checks src/ and types/ (tests, benchmarks and tools may import anything).
// Type-only imports (`import type`, `import { type X }` alone) are erased at run time, so they may
// point anywhere a rule below allows and may close a cycle; every other import is a runtime edge.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-runtime-cycle",
      severity: "error",
      comment:
        "A runtime import cycle makes module evaluation order matter (a binding read before its module ran is undefined). " +
        "Break it by moving the shared piece down a layer, or make the import type-only when only types cross.",
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: ["type-only"],
        viaOnly: { dependencyTypesNot: ["type-only"] },
      },
    },
    {
      name: "types-is-a-leaf",
      severity: "error",
      comment: "types/ is the type level and the message catalogue: it imports nothing from src/, types included.",
      from: { path: "^types/" },
      to: { path: "^src/" },
    },
    {
      name: "primitives-below-ops-autograd-backends",
      severity: "error",
      comment:
        "A primitive family (src/primitives/) holds parameters, shape and gradient rules; backends lower it. " +
        "At run time it must not load backends, ops or the autograd engine (type-only imports are fine).",
      from: { path: "^src/primitives(/|\\.ts$)" },
      to: { path: "^src/(backends|ops|autograd)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "backends-below-ops-and-nn",
      severity: "error",
      comment: "Backends run primitives; they know nothing of public ops or layers.",
      from: { path: "^src/backends/" },
      to: { path: "^src/(ops|nn)/" },
    },
    {
      name: "resolvable",
      severity: "error",
      comment: "An import that resolves to no file (a stale path after a move).",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // keep `import type` edges (as type-only) instead of dropping them with the compiled output
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mts", ".js", ".mjs", ".d.ts"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
