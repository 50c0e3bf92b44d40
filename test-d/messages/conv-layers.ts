// nn.Conv2d, nn.ConvTranspose2d and nn.Linear built from given tensors (types/shape/layer-tensors.ts)
// under TS 6 and 7: each call in `cases` followed by "// at:" and "// error:" fails to compile at the
// options with exactly that text, and test/nn/layer-tensors.test.ts runs it and expects the
// constructor to throw the same text; `valid` compiles.
import { nn, zeros } from "../../src/index.js";

export const valid = {
  conv: () => nn.Conv2d(3, 16, 3, { weight: zeros([16, 3, 3, 3]), bias: zeros([16]), padding: 1 }),
  groups: () => nn.Conv2d(4, 6, [3, 1], { groups: 2, weight: zeros([6, 2, 3, 1]) }),
  transpose: () => nn.ConvTranspose2d(4, 6, 3, { groups: 2, weight: zeros([4, 3, 3, 3]), stride: 2 }),
  linear: () => nn.Linear([2, 3], 5, { bias: zeros([5], { dtype: "float64" }), dtype: "float64" }),
};

export const cases = {
  convWeight: () => nn.Conv2d(3, 16, 3, { weight: zeros([16, 3, 5, 5]) }),
  // at: options
  // error: Conv2d: weight has shape [16, 3, 5, 5] but the layer expects [16, 3, 3, 3]
  convWeightGroups: () => nn.Conv2d(4, 6, 3, { groups: 2, weight: zeros([6, 4, 3, 3]) }),
  // at: options
  // error: Conv2d: weight has shape [6, 4, 3, 3] but the layer expects [6, 2, 3, 3]
  convBias: () => nn.Conv2d(3, 16, 3, { weight: zeros([16, 3, 3, 3]), bias: zeros([3]) }),
  // at: options
  // error: Conv2d: bias has shape [3] but the layer expects [16]
  convBiasDtype: () => nn.Conv2d(3, 16, 3, { weight: zeros([16, 3, 3, 3]), bias: zeros([16], { dtype: "float64" }) }),
  // at: options
  // error: Conv2d: bias dtype float64 does not match weight dtype float32
  convInt: () => nn.Conv2d(3, 16, 3, { weight: zeros([16, 3, 3, 3], { dtype: "int32" }) }),
  // at: options
  // error: Conv2d: weight must be float32 or float64, got int32
  transposeWeight: () => nn.ConvTranspose2d(4, 6, 3, { groups: 2, weight: zeros([4, 6, 3, 3]) }),
  // at: options
  // error: ConvTranspose2d: weight has shape [4, 6, 3, 3] but the layer expects [4, 3, 3, 3]
  transposeBias: () => nn.ConvTranspose2d(4, 6, 3, { bias: zeros([4]) }),
  // at: options
  // error: ConvTranspose2d: bias has shape [4] but the layer expects [6]
  linearWeight: () => nn.Linear(4, 2, { weight: zeros([4, 2]) }),
  // at: options
  // error: Linear: weight has shape [4, 2] but the layer expects [2, 4]
  linearFactors: () => nn.Linear([2, 3], 2, { weight: zeros([2, 5]) }),
  // at: options
  // error: Linear: weight has shape [2, 5] but the layer expects [2, 6]
  linearDtype: () => nn.Linear(4, 2, { weight: zeros([2, 4]), dtype: "float64" }),
  // at: options
  // error: Linear: option dtype float64 does not match the weight's dtype float32
  linearBiasDtype: () => nn.Linear(4, 2, { bias: zeros([2]), dtype: "float64" }),
  // at: options
  // error: Linear: option dtype float64 does not match the bias's dtype float32
};
