// Local config for exploratory runs of *.scratch.ts files (never part of npm test).
import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["test/reliability/**/*.scratch.ts"], testTimeout: 120_000 } });
