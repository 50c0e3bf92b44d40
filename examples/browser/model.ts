/**
 * The demo's digit classifier, in a module with no Node imports so that a browser bundle can use
 * it: conv 1->16 (5x5) -> pool -> conv 16->32 (3x3) -> pool -> linear 32*5*5 -> 10.
 */
import * as nn from "../../src/nn/index.js";

export function digitClassifier() {
  return nn.Sequential(
    nn.Conv2d(1, 16, 5), // [N, 16, 24, 24]
    nn.ReLU(),
    nn.MaxPool2d(2), // [N, 16, 12, 12]
    nn.Conv2d(16, 32, 3), // [N, 32, 10, 10]
    nn.ReLU(),
    nn.MaxPool2d(2), // [N, 32, 5, 5]
    nn.Flatten(), // [N, 800]
    nn.Linear([32, 5, 5], 10), // [N, 10]
  );
}
