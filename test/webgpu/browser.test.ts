/**
 * The browser example end to end: build examples/browser with vite, serve it on localhost, open it
 * in Debian's headless Chromium through playwright-core with `--enable-unsafe-webgpu` (WebGPU on
 * Chromium's SwiftShader), let the page train the demo's network, and read the test accuracy it
 * reports.
 *
 * Skips with the reason when Chromium is missing (set CHROMIUM_PATH to use another binary), unless
 * REQUIRE_WEBGPU=1, which makes a missing browser a failure as it does a missing adapter.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const reason = available ? "" : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (!available && process.env.REQUIRE_WEBGPU === "1")
  throw new Error(`REQUIRE_WEBGPU=1 but the browser test cannot run: ${reason}`);

/**
 * SwiftShader runs the WGSL on the CPU several times slower than lavapipe, so the page trains only
 * 30 steps of 16 digits here (about 2 minutes on a busy 2-core machine) and evaluates 200 held-out
 * digits; the full example (`?steps=300&batch=32`) is for a real GPU.
 */
const STEPS = 30;
const BATCH = 16;
const TEST = 200;

const temp: string[] = [];
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
      /^(\.\.[/\\])+/,
      "",
    );
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader("content-type", types[extname(file)] ?? "application/octet-stream");
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/` });
    }),
  );
}

describe.skipIf(!available)(available ? "the browser example" : `the browser example [skipped: ${reason}]`, () => {
  it("trains the conv net on WebGPU in headless Chromium and reports its test accuracy", async () => {
    const { build } = await import("vite");
    const outDir = mkdtempSync(join(tmpdir(), "shapegrad-browser-"));
    temp.push(outDir);
    await build({
      configFile: new URL("../../examples/browser/vite.config.ts", import.meta.url).pathname,
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
    });

    const { chromium } = await import("playwright-core");
    const profile = mkdtempSync(join(tmpdir(), "shapegrad-chromium-"));
    temp.push(profile);
    const { server, url } = await serve(outDir);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--enable-unsafe-webgpu"],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${url}?steps=${STEPS}&batch=${BATCH}&every=10&test=${TEST}`);
      await page.waitForSelector("body[data-state]", { timeout: 540_000 });
      const result = await page.evaluate(() => ({
        state: document.body.dataset.state,
        shown: document.getElementById("accuracy")?.textContent,
        result: window.shapegradResult,
      }));
      expect(errors).toEqual([]);
      expect(result.state, JSON.stringify(result.result)).toBe("done");
      const r = result.result as { accuracy: number; losses: number[]; steps: number; adapter: string };
      expect(r.steps).toBe(STEPS);
      expect(r.losses.every(Number.isFinite)).toBe(true);
      expect(result.shown).toBe(`${(100 * r.accuracy).toFixed(1)}%`);
      // 30 Adam steps of 16 digits (480 digits seen) reached 74% on these 200 digits; chance is 10%.
      expect(r.accuracy).toBeGreaterThan(0.5);
    } finally {
      await context.close();
      server.close();
    }
  }, 600_000);
});
