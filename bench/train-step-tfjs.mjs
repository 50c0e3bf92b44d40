// TensorFlow.js's side of bench/train-step.mjs: the same three models written with tfjs-core ops
// (NHWC, as TF.js computes), the same step: forward, softmax cross-entropy (mean over the batch),
// backward (tf.variableGrads), SGD with momentum 0.9 (tf.train.momentum: v = 0.9 v + g,
// p -= lr v, PyTorch's rule without dampening). Batch norm in training mode normalises with the
// batch's moments (tf.moments) and also updates running statistics as PyTorch's layer does, so
// each library does the same work. The initialisation is not PyTorch's (a step's time does not
// depend on it). Convolutions pad as PyTorch's layers (explicit symmetric padding), not 'same'.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * `make(model, shape)` returns a function that runs one step; the backend is set up first. Only
 * "cpu" (tfjs-backend-cpu, plain JS, one thread) trains these models: tfjs-backend-wasm has no
 * Conv2DBackpropFilter kernel.
 */
export async function tfjsTrainer(backend = "cpu") {
  // the umbrella package: tfjs-core's Node bundle registers no gradients, @tensorflow/tfjs's does
  const tf = require("@tensorflow/tfjs");
  await tf.setBackend(backend);
  await tf.ready();

  const vars = [];
  const variable = (shape, scale) => {
    const v = tf.variable(tf.randomNormal(shape, 0, scale));
    vars.push(v);
    return v;
  };
  const pads = (p) => [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  const conv = (cin, cout, k, { stride = 1, padding = 0, bias = true } = {}) => {
    const w = variable([k, k, cin, cout], Math.sqrt(2 / (cin * k * k)));
    const b = bias ? variable([cout], 0.01) : null;
    return (x) => {
      const y = tf.conv2d(x, w, stride, padding === 0 ? "valid" : pads(padding));
      return b ? tf.add(y, b) : y;
    };
  };
  const batchNorm = (c) => {
    const gamma = tf.variable(tf.ones([c]));
    const beta = tf.variable(tf.zeros([c]));
    vars.push(gamma, beta);
    const runningMean = tf.variable(tf.zeros([c]), false);
    const runningVar = tf.variable(tf.ones([c]), false);
    return (x) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const count = x.size / c;
      // the running statistics (PyTorch's momentum 0.1, unbiased variance): on the tape, but not on
      // the loss's path, so no gradient flows into them
      tf.tidy(() => {
        runningMean.assign(tf.add(tf.mul(runningMean, 0.9), tf.mul(mean, 0.1)));
        runningVar.assign(tf.add(tf.mul(runningVar, 0.9), tf.mul(variance, (0.1 * count) / (count - 1))));
      });
      return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
    };
  };
  const linear = (cin, cout) => {
    const w = variable([cin, cout], Math.sqrt(1 / cin));
    const b = variable([cout], 0.01);
    return (x) => tf.add(tf.matMul(x, w), b);
  };
  const maxPool =
    (k, stride, padding = 0) =>
    (x) =>
      tf.maxPool(x, k, stride, padding === 0 ? "valid" : padding);
  const flatten = (x) => tf.reshape(x, [x.shape[0], -1]);
  const seq =
    (...fs) =>
    (x) =>
      fs.reduce((y, f) => f(y), x);

  const bnCnn = () => {
    const block = (cin, cout) => [conv(cin, cout, 3, { padding: 1 }), batchNorm(cout), tf.relu];
    return seq(
      ...block(3, 32),
      ...block(32, 32),
      maxPool(2, 2),
      ...block(32, 64),
      ...block(64, 64),
      maxPool(2, 2),
      flatten,
      linear(4096, 128),
      tf.relu,
      linear(128, 10),
    );
  };
  const demoBias = () =>
    seq(conv(1, 16, 5), maxPool(2, 2), tf.relu, conv(16, 32, 3), maxPool(2, 2), tf.relu, flatten, linear(800, 10));
  // torchvision's resnet18(num_classes=10): BasicBlocks [2, 2, 2, 2], bias-free convs
  const resnet18 = () => {
    const block = (cin, cout, stride) => {
      const c1 = conv(cin, cout, 3, { stride, padding: 1, bias: false }),
        b1 = batchNorm(cout);
      const c2 = conv(cout, cout, 3, { padding: 1, bias: false }),
        b2 = batchNorm(cout);
      const down =
        stride !== 1 || cin !== cout ? seq(conv(cin, cout, 1, { stride, bias: false }), batchNorm(cout)) : (x) => x;
      return (x) => tf.relu(tf.add(b2(c2(tf.relu(b1(c1(x))))), down(x)));
    };
    return seq(
      conv(3, 64, 7, { stride: 2, padding: 3, bias: false }),
      batchNorm(64),
      tf.relu,
      maxPool(3, 2, 1),
      block(64, 64, 1),
      block(64, 64, 1),
      block(64, 128, 2),
      block(128, 128, 1),
      block(128, 256, 2),
      block(256, 256, 1),
      block(256, 512, 2),
      block(512, 512, 1),
      (x) => tf.mean(x, [1, 2]),
      linear(512, 10),
    );
  };
  const builders = { bn: bnCnn, demo: demoBias, resnet18 };

  return {
    name: `tfjs-${backend}`,
    version: tf.version_core,
    make(model, [n, c, h, w]) {
      vars.length = 0;
      const net = builders[model]();
      const params = [...vars];
      const opt = tf.train.momentum(0.01, 0.9);
      const x = tf.randomUniform([n, h, w, c]);
      const labels = tf.oneHot(tf.randomUniform([n], 0, 10, "int32"), 10);
      return () => {
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, net(x)), params);
          opt.applyGradients(grads);
          return value;
        });
        const v = loss.dataSync()[0];
        loss.dispose();
        return v;
      };
    },
  };
}
