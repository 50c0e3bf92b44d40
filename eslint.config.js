// ESLint (flat config) with typescript-eslint's type-aware rules: `npm run lint` runs it with
// --max-warnings 0, so every rule here is an error in effect. TypeScript files are checked with type
// information (the project service reads tsconfig.json); plain JavaScript (tools, bench scripts)
// with ESLint's recommended rules only.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: [
      "dist/",
      // bench/tsconfig.json's output (the fast kernels compiled for the kernel benchmarks)
      "bench/dist/",
      "coverage/",
      "docs/api/",
      "**/node_modules/",
      // written by scripts/ and compared with their generator's output by tests
      "**/*.generated.*",
      // tsd's type tests: calls that must not compile, on purpose
      "test-d/",
      // the type-cost budget's fixtures (bench/types/gen-fixtures.mjs writes them)
      "bench/types/*.ts",
    ],
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["**/*.{ts,mts,cts}"],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ["vitest.config.ts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Beyond recommendedTypeChecked: type-only imports stay marked (verbatimModuleSyntax needs
      // them, and they keep runtime import cycles honest), in either of the two styles in use.
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { prefer: "type-imports", fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      // `_`-prefixed names are deliberately unused (a parameter kept for a signature, a rest
      // sibling dropped from an object); a caught error that is not read needs no name check.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // Messages interpolate shapes (`${a.shape}` prints "2,3"), counts and flags on purpose; what
      // stays forbidden is an object that would print as "[object Object]".
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowArray: true },
      ],
      // Published coefficients (Cody's erf, the Lanczos gamma) are kept digit for digit as printed,
      // so they can be checked against the source; the nearest double is what the engine uses either way.
      "no-loss-of-precision": "off",
      // A catch that rethrows says what went wrong in the catalogue's own words (types/errors.ts);
      // attaching the caught error as `cause` would change the errors users receive, which is an
      // API decision rather than a lint fix.
      "preserve-caught-error": "off",
      // Type-level code: `{}` is the identity of an intersection (a shape with no keys yet, the
      // empty options object) in mapped and conditional types, not "any non-nullish value".
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "always", allowObjectTypes: "always" }],
    },
  },
  {
    // The type level: `any` is the wildcard of a conditional type's `extends` check (`Tensor<S, any,
    // any>` matches every dtype and device, where `unknown` fails on variance).
    files: ["types/**/*.ts", "src/**/types.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Compile-only type tests: a declaration exists to be type-checked, and a bare
    // `@ts-expect-error` is the assertion itself.
    files: ["test/typing/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": "off",
      "@typescript-eslint/ban-ts-comment": "off",
    },
  },
  {
    // Tests poke at internals on purpose: a method passed unbound to expect(), a promise left to
    // a test runner that awaits the describe block.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/unbound-method": "off",
    },
  },
);
