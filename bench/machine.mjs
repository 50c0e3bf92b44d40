// How much two threads can give on this machine, whatever the library: the same register-only
// integer loop (no memory traffic, no synchronisation) timed in one worker alone, then in two
// workers at once. On two real cores every ratio is ~2.0. On the 2-vCPU VM of bench/RESULTS.md
// most rounds read 1.85-2.0 and some, seconds apart, ~1.2: the host then gave the two vCPUs about
// 1.2 cores between them. conv2d.mjs prints these ratios before and after its suite, so that its
// 2-thread / 1-thread ratios can be read against what the machine itself offered.
//   node machine.mjs [rounds=5]     prints one ratio per round
import { Worker } from "node:worker_threads";

const SPIN = `
const { parentPort, workerData } = require("node:worker_threads");
let a = 1, b = 2;
const t = performance.now();
for (let i = 0; i < workerData; i++) { a = (a * 1664525 + b) | 0; b = ((b ^ a) + i) | 0; }
parentPort.postMessage([performance.now() - t, a + b]);`;

/** Milliseconds of each of `k` workers running the loop `n` times at once. */
function spin(k, n) {
  return Promise.all(
    Array.from(
      { length: k },
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(SPIN, { eval: true, workerData: n });
          w.once("message", ([ms]) => {
            resolve(ms);
            void w.terminate();
          });
          w.once("error", reject);
        }),
    ),
  );
}

/**
 * Two-thread scaling of a register-only loop, `rounds` times: 2 x (one worker's best time alone,
 * over all rounds) / (the slower of two workers' times together, that round). Each run is ~0.3 s.
 */
export async function twoThreadScaling(rounds = 3, n = 5e7) {
  await spin(1, n / 10); // compile and warm up once
  const one = [],
    two = [];
  for (let r = 0; r < rounds; r++) {
    one.push(...(await spin(1, n)));
    two.push(Math.max(...(await spin(2, n))));
  }
  return two.map((ms) => (2 * Math.min(...one)) / ms);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ratios = await twoThreadScaling(Number(process.argv[2] ?? 5));
  console.log(`2 workers / 1 worker, register-only loop: ${ratios.map((r) => r.toFixed(2)).join(" ")}`);
}
