/**
 * Issue 19: a user's module is named by its class in the messages. At run time every moduleErrors
 * text names the instance's class (`typeName`, the constructor's name); at compile time a class is
 * not part of its type, so a module that gives its name as a literal
 * (`override get typeName() { return "Block" as const; }`) is named by it in nn.Sequential's
 * messages, and one that does not is "Module"; a layer's own messages name the layer's class, also
 * for a subclass. One generated file is type-checked once; each refused call's compile-time text
 * is compared with what the same call throws.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { ts } from "ts-morph";
import * as sg from "../../src/index.js";
import { typecheckGenerated } from "./generated-source.js";
import { root } from "./message-check.mjs";

const { nn, randn, relu } = sg;
type AnyTensor = sg.AnyTensor;

// The classes, once in TypeScript (generated file) and once here for the run time.
const classes = `
class Block extends nn.Module {
  override get typeName() { return "Block" as const; }
  conv = nn.Conv2d(16, 16, 3, { padding: 1 });
  forward<N extends number>(x: Tensor<[N, 16, number, number]>) { return relu(this.conv.forward(x)); }
}
class Plain extends nn.Module {
  conv = nn.Conv2d(16, 16, 3, { padding: 1 });
  forward<N extends number>(x: Tensor<[N, 16, number, number]>) { return relu(this.conv.forward(x)); }
}
class MyNorm<C extends number> extends nn.BatchNorm2d<C> {
  override get typeName() { return "MyNorm" as const; }
}
class MyGroups<G extends number, C extends number> extends nn.GroupNorm<G, C> {
  override get typeName() { return "MyGroups" as const; }
}`;
class Block extends nn.Module {
  override get typeName() {
    return "Block" as const;
  }
  conv = nn.Conv2d(16, 16, 3, { padding: 1 });
  forward(x: AnyTensor): AnyTensor {
    return relu((this.conv.forward as (t: AnyTensor) => AnyTensor)(x));
  }
}
class Plain extends nn.Module {
  conv = nn.Conv2d(16, 16, 3, { padding: 1 });
  forward(x: AnyTensor): AnyTensor {
    return relu((this.conv.forward as (t: AnyTensor) => AnyTensor)(x));
  }
}
class MyNorm<C extends number> extends nn.BatchNorm2d<C> {
  override get typeName() {
    return "MyNorm" as const;
  }
}
class MyGroups<G extends number, C extends number> extends nn.GroupNorm<G, C> {
  override get typeName() {
    return "MyGroups" as const;
  }
}
class MyConv extends nn.Conv2d<number, number, number, object> {}
class MyLinear extends nn.Linear<number, number> {}

/** A refused call: its TypeScript, and the same call at run time. */
const calls: { code: string; run: () => unknown }[] = [
  {
    code: "nn.Sequential(new Block(), nn.ReLU()).forward(randn([2, 3, 8, 8]));",
    run: () => (nn.Sequential(new Block(), nn.ReLU()).forward as (x: AnyTensor) => unknown)(randn([2, 3, 8, 8])),
  },
  {
    code: "nn.Sequential(new Plain(), nn.ReLU()).forward(randn([2, 3, 8, 8]));",
    run: () => (nn.Sequential(new Plain(), nn.ReLU()).forward as (x: AnyTensor) => unknown)(randn([2, 3, 8, 8])),
  },
  {
    code: "new MyNorm(4).forward(randn([2, 3, 8, 8]));",
    run: () => (new MyNorm(4).forward as (x: AnyTensor) => unknown)(randn([2, 3, 8, 8])),
  },
  {
    code: "new MyGroups(2, 8).forward(randn([2, 6, 8, 8]));",
    run: () => (new MyGroups(2, 8).forward as (x: AnyTensor) => unknown)(randn([2, 6, 8, 8])),
  },
  {
    code: "nn.BatchNorm2d(4).forward(randn([2, 3, 8, 8]));",
    run: () => (nn.BatchNorm2d(4).forward as (x: AnyTensor) => unknown)(randn([2, 3, 8, 8])),
  },
];

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
}

describe("a module's class name in messages", () => {
  const lines = [
    `import { randn, relu, type Tensor } from "${join(root, "src/index.js")}";`,
    `import * as nn from "${join(root, "src/nn/index.js")}";`,
    ...classes.split("\n"),
  ];
  const first = lines.length + 1;
  lines.push(...calls.map((c) => c.code));
  const { file } = typecheckGenerated("__module_names_generated.ts", lines);
  const diagnostics = file.getPreEmitDiagnostics();
  /** The message (the parameter type's text) of the compile error on a line. */
  const compiled = (line: number) => {
    const found = diagnostics.filter((d) => d.getLineNumber() === line);
    expect(found).toHaveLength(1);
    const text = ts.flattenDiagnosticMessageText(found[0].compilerObject.messageText, "\n");
    return /parameter of type '["`](.*)["`]'\.$/.exec(text)?.[1] ?? text;
  };

  it("nothing else in the file fails", () => {
    expect(diagnostics.filter((d) => (d.getLineNumber() ?? 0) < first).map((d) => d.getMessageText())).toEqual([]);
  });

  it("a module that names itself: its name on both sides (Sequential)", () => {
    const rt = thrown(calls[0].run);
    const ct = compiled(first);
    expect(rt).toBe(
      "nn.Sequential: layer 0 (Block): conv2d: input has 3 channels but weight expects 16 (weight [16, 16, 3, 3], groups 1)",
    );
    // The layer and its name agree; what follows differs: the compiler sees the forward's
    // signature, the run time the op that fails inside it.
    expect(ct).toBe(
      "nn.Sequential: layer 0 (Block): expected input [${number}, 16, ${number}, ${number}], got [2, 3, 8, 8]",
    );
  });

  it("a module that does not: its class at run time, Module at compile time", () => {
    expect(thrown(calls[1].run)).toMatch(/^nn\.Sequential: layer 0 \(Plain\): conv2d: /);
    expect(compiled(first + 1)).toMatch(/^nn\.Sequential: layer 0 \(Module\): expected input /);
  });

  it("a layer's own messages: the class at run time, the layer's name at compile time", () => {
    expect(thrown(calls[2].run)).toBe("MyNorm: input has 3 channels but the layer expects 4 (input [2, 3, 8, 8])");
    expect(compiled(first + 2)).toBe("BatchNorm2d: input has 3 channels but the layer expects 4 (input [2, 3, 8, 8])");
    expect(thrown(calls[3].run)).toBe("MyGroups: input has 6 channels but the layer expects 8 (input [2, 6, 8, 8])");
    expect(compiled(first + 3)).toBe("GroupNorm: input has 6 channels but the layer expects 8 (input [2, 6, 8, 8])");
    // the layer itself: one text on both sides
    const text = "BatchNorm2d: input has 3 channels but the layer expects 4 (input [2, 3, 8, 8])";
    expect(thrown(calls[4].run)).toBe(text);
    expect(compiled(first + 4)).toBe(text);
  });

  it("run-time-only checks name the instance's class", () => {
    expect(thrown(() => new MyConv(4, 0, 3))).toBe("MyConv: outChannels must be a positive integer, got 0");
    expect(thrown(() => new MyConv(4, 6, 3, { groups: 4 }))).toBe(
      "MyConv: outChannels 6 must be divisible by groups 4",
    );
    expect(thrown(() => new MyLinear(0, 2))).toBe("MyLinear: inFeatures must be a positive integer, got 0");
    expect(thrown(() => new MyNorm(0))).toBe("MyNorm: numFeatures must be a positive integer, got 0");
    expect(thrown(() => new MyNorm(4).forward(randn([3]) as never))).toBe(
      "MyNorm: expected input [N, C, ...], got shape [3]",
    );
    expect(thrown(() => nn.Conv2d(4, 0, 3))).toBe("Conv2d: outChannels must be a positive integer, got 0");
  });
});
