/**
 * The shape inspector on the sample files in examples/inspector: every tensor's inferred shape,
 * dtype and device, every Sequential layer's output shape, every shape error with its location,
 * through the library function, the text format and the command-line program.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  findTsconfig,
  inspectFile,
  shapegradMessage,
  type Inspection,
  type ModuleEntry,
  type TensorEntry,
} from "../../src/cli/inspect.js";
import { formatInspection } from "../../src/cli/format.js";
import { missingTsMorph, runProgram, usage } from "../../src/cli/program.js";
import { mirror, repoRoot as root } from "./mirror.js";

const example = (name: string) => path.join(root, "examples/inspector", name);
const read = (rel: string) => readFileSync(path.join(root, rel), "utf8");

// The files with errors by design, placed in a mirror of the repository (see ./mirror.ts).
const tmp = mirror({
  "examples/inspector/errors.ts": read("examples/inspector/errors.ts.txt"),
  "test/cli/fixtures/own-config/plain.ts": read("test/cli/fixtures/own-config/plain.ts.txt"),
  "test/cli/fixtures/own-config/tsconfig.json": read("test/cli/fixtures/own-config/tsconfig.json"),
  "examples/inspector/nested-error.ts": [
    `import { randn } from "../../src/index.js";`,
    `import * as nn from "../../src/nn/index.js";`,
    `const model = nn.Sequential(nn.Sequential(nn.Conv2d(1, 8, 5), nn.Linear(7, 3), nn.ReLU()), nn.Flatten());`,
    `export const y = model.forward(randn([4, 1, 28, 28]));`,
  ].join("\n"),
});
afterAll(() => tmp.remove());
const errorsFile = path.join(tmp.root, "examples/inspector/errors.ts");
/** 1-based line of the first line of the errors sample containing `text`. */
const lineOf = (text: string) =>
  read("examples/inspector/errors.ts.txt")
    .split("\n")
    .findIndex((l) => l.includes(text)) + 1;

const tensors = (r: Inspection) =>
  Object.fromEntries(r.entries.filter((e): e is TensorEntry => e.kind === "tensor").map((e) => [e.name, e]));
const modules = (r: Inspection) => r.entries.filter((e): e is ModuleEntry => e.kind === "module");

describe("shapegrad shapes", () => {
  let cnn: Inspection;
  let errors: Inspection;
  beforeAll(() => {
    cnn = inspectFile(example("cnn.ts"));
    errors = inspectFile(errorsFile);
  }, 120_000);

  it("uses the nearest tsconfig", () => {
    expect(cnn.tsconfig).toBe(path.join(root, "tsconfig.json"));
    expect(findTsconfig(path.join(root, "test/cli/fixtures/own-config"))).toBe(
      path.join(root, "test/cli/fixtures/own-config/tsconfig.json"),
    );
  });

  it("reports every tensor of the valid example with the compiler's shape, dtype and device", () => {
    const t = tensors(cnn);
    expect(cnn.diagnostics).toEqual([]);
    expect(t.images).toMatchObject({ line: 9, column: 7, shape: "[8, 3, 32, 32]", dtype: "float32", device: "cpu" });
    expect(t.kernels).toMatchObject({ shape: "[16, 3, 3, 3]", dtype: "float32", device: "cpu" });
    // floor((32 + 2 - 3) / 2) + 1 = 16
    expect(t.features).toMatchObject({ line: 11, shape: "[8, 16, 16, 16]" });
    expect(t.activated.shape).toBe("[8, 16, 16, 16]");
    // dilation 2, "same": 16 stays 16; 32 output channels, groups 2 over 16 inputs
    expect(t.dilated.shape).toBe("[8, 32, 16, 16]");
    expect(t.logits).toMatchObject({ line: 26, shape: "[8, 10]" });
  });

  it("lists each layer of a Sequential with the shape after it", () => {
    const [model] = modules(cnn);
    expect(model).toMatchObject({
      name: "model",
      line: 16,
      forwardLine: 26,
      forwardInput: "[8, 3, 32, 32]",
      forwardOutput: "[8, 10]",
    });
    expect(model.layers.map((l) => [l.name, l.output])).toEqual([
      ["Conv2d", "[8, 16, 32, 32]"],
      ["BatchNorm2d", "[8, 16, 32, 32]"],
      ["ReLU", "[8, 16, 32, 32]"],
      ["MaxPool2d", "[8, 16, 16, 16]"],
      ["Conv2d", "[8, 32, 8, 8]"],
      ["ReLU", "[8, 32, 8, 8]"],
      ["Flatten", "[8, 2048]"],
      ["Linear", "[8, 10]"],
    ]);
    expect(model.layers[0].type).toBe("Conv2d<3, 16, 3, { readonly padding: 1; }>");
    expect(model.layers[7].type).toBe("Linear<readonly [32, 8, 8], 10>");
  });

  it("lists the layers a custom Module holds, and each layer's forward inside its methods", () => {
    const net = modules(cnn).find((m) => m.name === "net")!;
    expect(net).toMatchObject({ type: "Net", forwardInput: "[8, 3, 32, 32]", forwardOutput: "[8, 10]" });
    expect(net.layers.map((l) => [l.property, l.name])).toEqual([
      ["features", "Sequential"],
      ["flatten", "Flatten"],
      ["head", "Linear"],
    ]);
    const head = modules(cnn).find((m) => m.name === "head")!;
    expect(head).toMatchObject({ forwardInput: "[8, 4096]", forwardOutput: "[8, 10]" });
    const features = modules(cnn).find((m) => m.name === "features")!;
    expect(features.layers.map((l) => l.output)).toEqual(["[8, 16, 32, 32]", "[8, 16, 32, 32]", "[8, 16, 16, 16]"]);
    expect(tensors(cnn).scores.shape).toBe("[8, 10]");
  });

  it("reports each shape error with the catalogue message at the offending argument", () => {
    expect(errors.diagnostics.map((d) => [d.line, d.column, d.code, d.shapegrad])).toEqual([
      [
        lineOf("const wrongChannels"),
        38,
        2345,
        "conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)",
      ],
      [lineOf("const badGroups"), 62, 2345, "conv2d: weight has 16 output channels, not divisible by groups 3"],
      [lineOf("const mixed"), 23, 2345, "add: dtype mismatch: float32 and float64 (convert one with .cast())"],
      [
        lineOf("const logits"),
        30,
        2345,
        "nn.Sequential: layer 3 (Linear): linear: input [8, 7200] has 7200 features but the layer expects 8192 (weight [10, 8192])",
      ],
    ]);
    expect(errors.diagnostics[0].text).toContain('Argument of type \'Tensor<[16, 4, 3, 3], "float32", "cpu">\'');
  });

  it("shows where in a Sequential the shapes stop fitting", () => {
    const [model] = modules(errors);
    expect(model.forwardOutput).toBe(
      "nn.Sequential: layer 3 (Linear): linear: input [8, 7200] has 7200 features but the layer expects 8192 (weight [10, 8192])",
    );
    expect(model.layers.map((l) => l.output)).toEqual([
      "[8, 8, 30, 30]",
      "[8, 8, 30, 30]",
      "[8, 7200]",
      "linear: input [8, 7200] has 7200 features but the layer expects 8192 (weight [10, 8192])",
    ]);
    // the calls that failed widen to number[]; the good one keeps its literal shape
    expect(tensors(errors).ok.shape).toBe("[8, 16, 32, 32]");
    expect(tensors(errors).wrongChannels.shape).toBe("number[]");
  });

  it("prints one line per tensor, layer and error, in file order", () => {
    const text = formatInspection(errors, tmp.root);
    const lines = text.split("\n");
    expect(lines[0]).toBe("examples/inspector/errors.ts");
    const at = (line: number, column: number) => `${line}:${column}`.padEnd(8);
    const wrong = lineOf("const wrongChannels");
    expect(lines).toContain(`  ${at(lineOf("const images"), 7)}images: Tensor [8, 3, 32, 32] float32 cpu`);
    expect(lines).toContain(
      `  ${at(wrong, 38)}error conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)`,
    );
    expect(lines).toContain(
      "             3 Linear<8192, 10> -> linear: input [8, 7200] has 7200 features but the layer expects 8192 (weight [10, 8192])",
    );
    expect(
      lines.indexOf(
        `  ${at(wrong, 38)}error conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)`,
      ),
    ).toBe(lines.indexOf(`  ${at(wrong, 7)}wrongChannels: Tensor number[] float32 cpu`) + 1);
    expect(lines.at(-1)).toBe("6 tensors, 1 module, 4 errors");
  });

  it("type-checks with the file's own tsconfig and reports ordinary TypeScript errors too", () => {
    const r = inspectFile(path.join(tmp.root, "test/cli/fixtures/own-config/plain.ts"));
    expect(r.tsconfig).toBe(path.join(tmp.root, "test/cli/fixtures/own-config/tsconfig.json"));
    // unused function (this tsconfig's noUnusedLocals) and a string for a number; import.meta is
    // fine: the file is an ES module, as the package.json above it says
    expect(r.diagnostics.map((d) => [d.line, d.code, d.shapegrad])).toEqual([
      [4, 6133, null],
      [6, 2322, null],
    ]);
    expect(tensors(r).t).toMatchObject({ shape: "[2, 3]", dtype: "float32", device: "cpu" });
  }, 60_000);

  it("follows a forward call inside a function, a loop and a callback, with a run-time batch size", () => {
    const r = inspectFile(example("training.ts"));
    expect(r.diagnostics).toEqual([]);
    const [classifier] = modules(r);
    // the first forward call in the file is the one in the training loop
    expect(classifier).toMatchObject({
      name: "classifier",
      forwardInput: "[number, 1, 28, 28]",
      forwardOutput: "[number, 10]",
    });
    expect(classifier.layers.map((l) => l.output)).toEqual([
      "[number, 8, 24, 24]",
      "[number, 8, 12, 12]",
      "[number, 8, 12, 12]",
      "[number, 1152]",
      "[number, 10]",
    ]);
    const t = tensors(r);
    expect(t.x).toMatchObject({ shape: "[number, 1, 28, 28]", dtype: "float32" });
    expect(t.y).toMatchObject({ shape: "[number]", dtype: "int32" });
    expect(t.logits.shape).toBe("[number, 10]");
    expect(t.loss.shape).toBe("[]");
    expect(t.check.shape).toBe("[2, 10]");
  }, 60_000);

  it("extracts catalogue messages only from message literal types", () => {
    expect(
      shapegradMessage(
        `Argument of type '{ groups: number; }' is not assignable to parameter of type '"conv2d: groups must be a positive integer, got 0"'.`,
      ),
    ).toBe("conv2d: groups must be a positive integer, got 0");
    expect(shapegradMessage(`Type 'string' is not assignable to type 'number'.`)).toBeNull();
  });

  it("runs as a command: --json output and the exit code", async () => {
    let out = "";
    let code = -1;
    const io = {
      write: (t: string) => {
        out += t;
      },
      setExitCode: (c: number) => {
        code = c;
      },
    };
    await runProgram(["shapes", errorsFile, "--json", "--project", path.join(tmp.root, "tsconfig.json")], io);
    const parsed = JSON.parse(out) as Inspection;
    expect(code).toBe(1);
    expect(parsed.diagnostics).toHaveLength(4);
    expect(parsed.entries.find((e) => e.name === "images")).toMatchObject({ kind: "tensor", shape: "[8, 3, 32, 32]" });
  }, 60_000);

  it("lists nested containers' layers as rows of their own, and custom modules by their output shape", () => {
    const r = inspectFile(example("nested.ts"));
    expect(r.diagnostics).toEqual([]);
    const model = modules(r).find((m) => m.name === "model")!;
    // the literal batch of the call, not a widened one
    expect(model).toMatchObject({ forwardInput: "[4, 1, 28, 28]", forwardOutput: "[4, 10]" });
    expect(model.layers.map((l) => [l.name, l.output])).toEqual([
      ["Sequential", "[4, 8, 12, 12]"],
      ["Residual", "[4, 8, 12, 12]"],
      ["Flatten", "[4, 1152]"],
      ["Linear", "[4, 32]"],
      ["Head", "[4, 10]"],
    ]);
    // conv 5x5: 28 -> 24, max pool 2: 24 -> 12
    expect(model.layers[0].layers!.map((l) => [l.name, l.output])).toEqual([
      ["Conv2d", "[4, 8, 24, 24]"],
      ["ReLU", "[4, 8, 24, 24]"],
      ["MaxPool2d", "[4, 8, 12, 12]"],
    ]);
    expect(model.layers[1].layers!.map((l) => l.property)).toEqual(["body"]);
    expect(model.layers[4].layers!.map((l) => [l.property, l.type])).toEqual([["fc", "Linear<32, 10>"]]);
    const lines = formatInspection(r, root).split("\n");
    expect(lines).toContain("             0 Sequential, 3 layers -> [4, 8, 12, 12]");
    expect(lines).toContain("              0.2 MaxPool2d<2> -> [4, 8, 12, 12]");
    expect(lines).toContain("                1.body.0 Conv2d<8, 8, 3, { readonly padding: 1; }>");
    expect(lines).toContain("             4 Head -> [4, 10]");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(80);
  }, 60_000);

  it("stops a nested chain at the layer that refuses its input, naming it in every enclosing container", () => {
    const r = inspectFile(path.join(tmp.root, "examples/inspector/nested-error.ts"));
    const linear = "linear: input [4, 8, 24, 24] has 24 features but the layer expects 7 (weight [3, 7])";
    const [model] = modules(r);
    expect(model.forwardOutput).toBe(`nn.Sequential: layer 0 (Sequential): nn.Sequential: layer 1 (Linear): ${linear}`);
    expect(model.layers.map((l) => l.output)).toEqual([`nn.Sequential: layer 1 (Linear): ${linear}`, undefined]);
    expect(model.layers[0].layers!.map((l) => l.output)).toEqual(["[4, 8, 24, 24]", linear, undefined]);
    expect(r.diagnostics.map((d) => d.shapegrad)).toEqual([model.forwardOutput]);
  }, 60_000);

  it("reads its arguments: help, version, unknown commands and options", async () => {
    let out = "";
    const io = {
      write: (t: string) => {
        out += t;
      },
      setExitCode: () => {},
    };
    await runProgram(["--help"], io);
    expect(out).toBe(usage);
    out = "";
    await runProgram(["-v"], io);
    expect(out).toBe("0.1.0\n");
    await expect(runProgram(["shape", "a.ts"], io)).rejects.toThrow('unknown command "shape"');
    await expect(runProgram(["shapes", "a.ts", "b.ts"], io)).rejects.toThrow("shapes takes one file, got 2");
    await expect(runProgram(["shapes", "a.ts", "--jsn"], io)).rejects.toThrow("--jsn");
    expect(usage).toContain("npm install --save-dev ts-morph");
    expect(missingTsMorph).toContain("npm install --save-dev ts-morph");
  });

  it("refuses a missing file or tsconfig", () => {
    expect(() => inspectFile(example("nope.ts"))).toThrow("shapegrad shapes: no such file");
    expect(() => inspectFile(example("cnn.ts"), { project: "nope/tsconfig.json" })).toThrow(
      "shapegrad shapes: no such tsconfig",
    );
  });
});
