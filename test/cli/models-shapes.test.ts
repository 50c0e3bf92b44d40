/**
 * `shapegrad shapes examples/models-shapes.ts`: the inspector on every builder of shapegrad/models.
 * Each model's forward is read with the compiler's logits shape, its blocks are listed by
 * torchvision's names, and the feature extractors (an nn.Sequential each) get a shape per layer.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as path from "node:path";
import { inspectFile, type Inspection, type ModuleEntry, type TensorEntry } from "../../src/cli/inspect.js";
import { formatInspection } from "../../src/cli/format.js";
import { repoRoot as root } from "./mirror.js";

const modules = (r: Inspection) =>
  new Map(r.entries.filter((e): e is ModuleEntry => e.kind === "module").map((m) => [m.name, m]));
const tensors = (r: Inspection) =>
  new Map(r.entries.filter((e): e is TensorEntry => e.kind === "tensor").map((t) => [t.name, t]));

describe("shapegrad shapes on examples/models-shapes.ts", () => {
  let r: Inspection;
  beforeAll(() => {
    r = inspectFile(path.join(root, "examples/models-shapes.ts"));
  }, 300_000);

  it("type-checks every builder's forward and reads its logits' shape", () => {
    expect(r.diagnostics).toEqual([]);
    const m = modules(r);
    const builders = [
      ...["resnet18", "resnet50", "vgg11Bn", "mobilenetV2", "mobilenetV3Small", "efficientnetB0"],
      ...["squeezenet1_1", "shufflenetV2X0_5", "googlenet", "densenet121", "convnextTiny"],
    ];
    for (const name of builders) {
      expect(m.get(name), name).toMatchObject({ forwardInput: "[1, 3, 224, 224]", forwardOutput: "[1, 1000]" });
      expect(tensors(r).get(`${name}Logits`)?.shape).toBe("[1, 1000]");
    }
    expect(m.get("mobilenetV3Large")).toMatchObject({ forwardInput: "[1, 3, 224, 224]", forwardOutput: "[1, 1000]" });
    for (const name of ["fcnResnet50", "deeplabv3MobilenetV3Large", "lrasppMobilenetV3Large"]) {
      expect(m.get(name)?.forwardInput, name).toBe("[1, 3, 224, 224]");
      expect(tensors(r).get(`${name}Out`)?.shape, name).toBe("[1, 21, 224, 224]");
    }
    expect(m.get("regnetY400mf")).toMatchObject({ type: "models.RegNetY400MF<10>", forwardOutput: "[1, 10]" });
    expect(m.get("resnet18")!.type).toBe("models.ResNet18<1000>");
  });

  it("lists each model's blocks under torchvision's names, with their channel counts", () => {
    const resnet = modules(r).get("resnet18")!;
    const layer2 = resnet.layers.find((l) => l.property === "layer2")!;
    expect(layer2.layers!.map((l) => l.name)).toEqual(["DownsampleBasicBlock", "IdentityBasicBlock"]);
    const block = layer2.layers![0].layers!;
    expect(block.find((l) => l.property === "conv1")!.type).toMatch(/^Conv2d<64, 128, 3, /);
    expect(resnet.layers.find((l) => l.property === "fc")!.type).toBe("Linear<512, 1000>");
  });

  it("gives VGG's feature extractor a shape after every layer, 224x224 down to 7x7", () => {
    const features = modules(r).get("vggFeatures")!;
    expect(features.forwardOutput).toBe("[1, 512, 7, 7]");
    const outputs = features.layers.map((l) => l.output);
    expect(outputs).toHaveLength(29);
    expect(outputs.slice(0, 4)).toEqual([
      "[1, 64, 224, 224]",
      "[1, 64, 224, 224]",
      "[1, 64, 224, 224]",
      "[1, 64, 112, 112]",
    ]);
    expect(outputs.at(-1)).toBe("[1, 512, 7, 7]");
  });

  it("follows MobileNetV2's channels block by block (its spatial sizes are the run time's)", () => {
    const features = modules(r).get("mobilenetV2Features")!;
    expect(features.layers.map((l) => l.output)).toEqual(
      [32, 16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320, 1280].map(
        (c) => `[1, ${c}, number, number]`,
      ),
    );
  });

  it("prints one line per model, block and tensor", () => {
    const lines = formatInspection(r, root).split("\n");
    expect(lines[0]).toBe("examples/models-shapes.ts");
    expect(lines.filter((l) => /forward at line \d+: \[1, 3, 224, 224\] -> \[1, 1000\]$/.test(l))).toHaveLength(12);
    expect(lines).toContain("            28 MaxPool2d<2, { readonly stride: 2; }> -> [1, 512, 7, 7]");
    expect(lines.at(-1)).toBe("19 tensors, 18 modules, 0 errors");
  });
});
