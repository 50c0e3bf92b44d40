import { describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { randn } from "../../src/index.js";
import { discriminator, generator, LATENT, pngGrid, trainDcgan } from "../../examples/dcgan.js";

describe("examples/dcgan.ts", () => {
  it("tiles images into a greyscale PNG that decodes to the same pixels", () => {
    // 5 images: a 3 x 2 grid (ceil(sqrt(5)) = 3 columns), 2 px between and around the tiles.
    const images = new Float32Array(5 * 784);
    for (let i = 0; i < images.length; i++) images[i] = ((i * 7919) % 1000) / 500 - 1;
    const png = PNG.sync.read(pngGrid(images, 5));
    expect([png.width, png.height]).toEqual([3 * 30 + 2, 2 * 30 + 2]);
    for (const [k, y, x] of [
      [0, 0, 0],
      [1, 5, 27],
      [4, 27, 13],
    ]) {
      const col = k % 3;
      const row = Math.floor(k / 3);
      const at = 4 * ((2 + row * 30 + y) * png.width + 2 + col * 30 + x);
      const expected = Math.round(((images[k * 784 + y * 28 + x] + 1) / 2) * 255);
      expect(png.data[at]).toBe(expected);
    }
    // The gaps and the empty sixth tile are black.
    expect(png.data[4 * (1 * png.width + 1)]).toBe(0);
    expect(png.data[4 * ((2 + 30 + 10) * png.width + 2 + 2 * 30 + 10)]).toBe(0);
  });

  it("generates [B, 1, 28, 28] digits that the discriminator scores one logit each", () => {
    const fake = generator().forward(randn([3, LATENT, 1, 1]));
    expect(fake.shape).toEqual([3, 1, 28, 28]);
    const values = fake.dataSync();
    expect(values.every((v) => v >= -1 && v <= 1)).toBe(true); // Tanh's range
    expect(discriminator().forward(fake).shape).toEqual([3, 1]);
  });

  it("trains a few steps on a few digits: finite losses, a decodable 8 x 8 grid", async () => {
    const result = await trainDcgan({ steps: 4, batchSize: 8, limit: 32, seed: 1 });
    expect(result.lossD).toHaveLength(4);
    expect(result.lossG).toHaveLength(4);
    for (const l of [...result.lossD, ...result.lossG]) expect(Number.isFinite(l)).toBe(true);
    // Before any step the discriminator knows nothing: both BCE terms near log 2.
    expect(result.lossD[0]).toBeGreaterThan(0.5);
    expect(result.lossD[0]).toBeLessThan(3);
    const png = PNG.sync.read(result.png);
    expect([png.width, png.height]).toEqual([8 * 30 + 2, 8 * 30 + 2]);
    // After 4 steps from N(0, 0.02) weights the digits are still near Tanh(0) (grey 128), but not flat.
    const tile = new Set<number>();
    for (let y = 2; y < 30; y++) for (let x = 2; x < 30; x++) tile.add(png.data[4 * (y * png.width + x)]);
    expect(tile.size).toBeGreaterThan(1);
    expect(Math.abs(png.data[4 * (15 * png.width + 15)] - 128)).toBeLessThan(64);
  });
});
