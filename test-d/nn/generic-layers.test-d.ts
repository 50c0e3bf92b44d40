// Issue 19, items 2 and 5: Layer.forward is one signature whose routes (src/nn/types.ts LayerArg)
// the checker resolves at the call. Under a generic batch B and size H a layer's rule runs on
// `number` sizes: what it can know is kept (B, the channels, H where the layer keeps it), the rest
// is number, and a broken rule is an error at the argument. Inside a block generic in its
// channels, the layers' [in, out] pairs carry the channels (densenet.ts's cat pattern).
import { expectError, expectType } from "tsd";
import { cat, randn, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

export function sizes<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  // The three holes of session 17: each is now the exact type or an error.
  expectType<Tensor<[B, number], "float32", "cpu">>(nn.Flatten().forward(x));
  expectError(nn.LayerNorm([7, 6, 6]).forward(x));
  expectError(nn.Sequential(nn.Conv2d(16, 4, 3, { padding: 1 }), nn.BatchNorm2d(8)).forward(x));
  expectError(nn.Sequential(nn.Conv2d(8, 4, 3, { padding: 1 }), nn.BatchNorm2d(8)).forward(x));
  // What the rule knows is kept.
  expectType<Tensor<[B, 4, H, H], "float32", "cpu">>(nn.Conv2d(16, 4, 3, { padding: 1 }).forward(x));
  expectType<Tensor<[B, 4, number, number], "float32", "cpu">>(nn.Conv2d(16, 4, 3, { stride: 2 }).forward(x));
  expectType<Tensor<[B, 8, number, number], "float32", "cpu">>(nn.ConvTranspose2d(16, 8, 2, { stride: 2 }).forward(x));
  expectType<Tensor<[B, 16, H, H], "float32", "cpu">>(nn.ReLU().forward(x));
  expectType<Tensor<[B, 16, H, H], "float32", "cpu">>(nn.BatchNorm2d(16).forward(x));
  expectType<Tensor<[B, 16, H, 8], "float32", "cpu">>(nn.LayerNorm(8).forward(x as never as Tensor<[B, 16, H, 8]>));
  expectType<Tensor<[B, 16, H, H], "float32", "cpu">>(nn.GroupNorm(4, 16).forward(x));
  expectType<Tensor<[B, 16, 2, 3], "float32", "cpu">>(nn.AdaptiveAvgPool2d([2, 3]).forward(x));
  expectType<Tensor<[B, 8, number, number], "float32", "cpu">>(
    nn.Sequential(nn.Conv2d(16, 8, 3, { padding: 1 }), nn.BatchNorm2d(8), nn.ReLU()).forward(x),
  );
  expectType<Tensor<[B, 10], "float32", "cpu">>(
    nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10)).forward(x),
  );
  // Literal mismatches are errors under the generic sizes.
  expectError(nn.Conv2d(8, 4, 3).forward(x));
  expectError(nn.BatchNorm2d(8).forward(x));
  expectError(nn.GroupNorm(4, 8).forward(x));
  expectError(nn.Conv2d(16, 4, 3, { padding: "same", stride: 2 }).forward(x));
}

// A caller's generic shape is read at its constraint.
export function constrained<S extends [number, 16, number, number]>(x: Tensor<S>) {
  expectType<Tensor<[number, 4, number, number], "float32", "cpu">>(nn.Conv2d(16, 4, 3, { padding: 1 }).forward(x));
  expectError(nn.Conv2d(8, 4, 3).forward(x));
}

// A block generic in its channels: the layers' pairs, no cast (densenet.ts:55, googlenet.ts:137).
export class Dense<const C extends number, const G extends number> extends nn.Module {
  bn: nn.BatchNorm2d<C>;
  conv: nn.Conv2d<C, G, 3, { readonly padding: 1 }>;
  down: nn.Sequential<readonly [nn.Conv2d<C, G, 1>, nn.BatchNorm2d<G>, nn.ReLU]>;
  constructor(c: C, g: G) {
    super();
    this.bn = nn.BatchNorm2d(c);
    this.conv = nn.Conv2d(c, g, 3, { padding: 1 });
    this.down = nn.Sequential(nn.Conv2d(c, g, 1), nn.BatchNorm2d(g), nn.ReLU());
  }
  forward<N extends number>(x: Tensor<[N, C, number, number]>) {
    const f = this.conv.forward(this.bn.forward(x));
    expectType<Tensor<[N, G, number, number], "float32", "cpu">>(f);
    expectType<Tensor<[N, G, number, number], "float32", "cpu">>(this.down.forward(x));
    expectType<Tensor<[N, C, number, number], "float32", "cpu">>(nn.MaxPool2d(2).forward(x));
    expectError(this.conv.forward(f));
    expectError(nn.BatchNorm2d(16).forward(x));
    return cat([x, f], 1);
  }
}
expectType<Tensor<[2, 24, number, number], "float32", "cpu">>(new Dense(16, 8).forward(randn([2, 16, 8, 8])));

// An instantiation expression leaves the routes at their default: nn.ForwardArg gives the call's parameter.
const bad = nn.Sequential(nn.Conv2d(3, 8, 1), nn.BatchNorm2d(16));
expectType<"nn.Sequential: layer 1 (BatchNorm2d): BatchNorm2d: input has 8 channels but the layer expects 16 (input [2, 8, 4, 4])">(
  null as unknown as nn.ForwardArg<typeof bad, [2, 3, 4, 4]>,
);
