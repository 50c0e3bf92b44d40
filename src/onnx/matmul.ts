/** matmul as ONNX MatMul (batch dims are already equal: matmul() expanded them). */
import type { MatmulParams } from "../primitives/index.js";
import { type EmitRules, same } from "./emit-rule.js";

export const matmulEmitRules: EmitRules<MatmulParams> = { matmul: same("MatMul") };
