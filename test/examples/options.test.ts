import { describe, expect, it } from "vitest";
import { deviceOption, integerOption, positiveOption } from "../../examples/options.js";

describe("examples/options.ts", () => {
  it("parses integers, positive numbers and devices", () => {
    expect(integerOption("unet", "epochs", "3", 1)).toBe(3);
    expect(integerOption("unet", "seed", "0", 0)).toBe(0);
    expect(positiveOption("unet", "lr", "0.003")).toBe(0.003);
    expect(positiveOption("unet", "noise", "0", true)).toBe(0);
    expect(deviceOption("unet", "webgpu")).toBe("webgpu");
  });

  it("names the program, the option and the value it refuses", () => {
    expect(() => integerOption("dcgan", "steps", "0", 1)).toThrow("dcgan: --steps must be an integer >= 1, got 0");
    expect(() => integerOption("dcgan", "steps", "2.5", 1)).toThrow("got 2.5");
    expect(() => integerOption("dcgan", "steps", "ten", 1)).toThrow("got ten");
    expect(() => positiveOption("demo", "lr", "0")).toThrow("demo: --lr must be a positive number, got 0");
    expect(() => positiveOption("demo", "lr", "Infinity")).toThrow("got Infinity");
    expect(() => positiveOption("unet", "noise", "-1", true)).toThrow("unet: --noise must be a number >= 0, got -1");
    expect(() => deviceOption("unet", "gpu")).toThrow("unet: --device must be cpu or webgpu, got gpu");
  });
});
