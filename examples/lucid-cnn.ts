/**
 * The model from lucid's Conv2d documentation, typed: every shape is inferred by the compiler, and
 * the same model with a Linear of 32*16*15 input features does not compile.
 *
 *   node dist/examples/lucid-cnn.js     # prints the summary and one forward/backward pass
 */
import { randn, type Tensor } from "../src/index.js";
import * as nn from "../src/nn/index.js";

export const model = nn.Sequential(
  nn.Conv2d(3, 16, 3, { padding: 1 }), // [N, 16, 32, 32]
  nn.ReLU(),
  nn.Conv2d(16, 32, 3, { padding: 1 }), // [N, 32, 32, 32]
  nn.ReLU(),
  nn.MaxPool2d(2), // [N, 32, 16, 16]
  nn.Flatten(), // [N, 8192]
  nn.Linear([32, 16, 16], 10), // [N, 10]  (inFeatures as factors: 32 * 16 * 16 would be a plain `number`)
);

const images = randn([8, 3, 32, 32]);
export const logits: Tensor<[8, 10]> = model.forward(images);

export const wrong = nn.Sequential(
  nn.Conv2d(3, 16, 3, { padding: 1 }),
  nn.ReLU(),
  nn.Conv2d(16, 32, 3, { padding: 1 }),
  nn.ReLU(),
  nn.MaxPool2d(2),
  nn.Flatten(),
  nn.Linear([32, 16, 15], 10),
);
// The compiler reports, on `images`:
//   Argument of type 'Tensor<[8, 3, 32, 32], "float32", "cpu">' is not assignable to parameter of type
//   '"nn.Sequential: layer 6 (Linear): linear: input [8, 8192] has 8192 features but the layer expects 7680 (weight [10, 7680])"'.
// and the run time throws the same text if the call is forced.
export const tryWrong = (): unknown =>
  // @ts-expect-error the Linear's 7680 input features do not match the 8192 flattened ones
  wrong.forward(images);

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(model.summary([8, 3, 32, 32]));
  logits.sum().backward();
  console.log(
    `logits ${JSON.stringify(logits.shape)}; d(sum)/d(conv1.weight) has shape ${JSON.stringify(model.layers[0].weight.grad?.shape)}`,
  );
  try {
    tryWrong();
  } catch (e) {
    console.log(`the wrong model throws: ${(e as Error).message}`);
  }
}
