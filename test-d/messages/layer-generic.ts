// Issue 19, item 1: a layer's forward under a generic batch B and a generic size H fails at its
// argument with exactly the text of the same call on literal sizes (the catalogue's, types/errors.ts):
// Layer.forward is one signature whose routes (src/nn/types.ts LayerArg) the checker resolves at the
// call. Checked under TS 6 by test/types/messages.test.ts and TS 7 by scripts/check-ts7.mjs; each
// function here is called on literal-size tensors by test/types/layer-generic-messages.test.ts, which
// expects the run time to throw the annotated text.
import { nn, randn, type Tensor } from "../../src/index.js";

export function chain<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  const m = nn.Sequential(nn.Conv2d(8, 4, 3, { padding: 1 }), nn.BatchNorm2d(8));
  return m.forward(x);
  // at: arg0
  // error: nn.Sequential: layer 0 (Conv2d): conv2d: input has 16 channels but weight expects 8 (weight [4, 8, 3, 3], groups 1)
}
export function chainLiteral() {
  const m = nn.Sequential(nn.Conv2d(8, 4, 3, { padding: 1 }), nn.BatchNorm2d(8));
  return m.forward(randn([2, 16, 8, 8]));
  // at: arg0
  // error: nn.Sequential: layer 0 (Conv2d): conv2d: input has 16 channels but weight expects 8 (weight [4, 8, 3, 3], groups 1)
}
export function conv<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  const m = nn.Conv2d(8, 4, 3);
  return m.forward(x);
  // at: arg0
  // error: conv2d: input has 16 channels but weight expects 8 (weight [4, 8, 3, 3], groups 1)
}
export function convLiteral() {
  const m = nn.Conv2d(8, 4, 3);
  return m.forward(randn([2, 16, 8, 8]));
  // at: arg0
  // error: conv2d: input has 16 channels but weight expects 8 (weight [4, 8, 3, 3], groups 1)
}
export function later<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  const m = nn.Sequential(nn.Conv2d(16, 4, 3, { padding: 1 }), nn.ReLU(), nn.Conv2d(8, 4, 1));
  return m.forward(x);
  // at: arg0
  // error: nn.Sequential: layer 2 (Conv2d): conv2d: input has 4 channels but weight expects 8 (weight [4, 8, 1, 1], groups 1)
}
export function laterLiteral() {
  const m = nn.Sequential(nn.Conv2d(16, 4, 3, { padding: 1 }), nn.ReLU(), nn.Conv2d(8, 4, 1));
  return m.forward(randn([2, 16, 8, 8]));
  // at: arg0
  // error: nn.Sequential: layer 2 (Conv2d): conv2d: input has 4 channels but weight expects 8 (weight [4, 8, 1, 1], groups 1)
}
