/** The `optim` namespace: optimizers, learning-rate schedulers and gradient clipping. */
export { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { LRScheduler, StepLR, CosineAnnealingLR } from "./scheduler.js";
export { clipGradNorm } from "./clip.js";
