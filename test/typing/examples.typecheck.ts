/**
 * Issue 21, the examples' types: examples/dcgan.ts, examples/unet.ts and examples/finetune.ts are written without a
 * cast or a shape annotation, and the compiler computes their shapes. Part of `npm run typecheck`
 * (TypeScript 6 and 7): `Expect<Equal<...>>` is exact and every `@ts-expect-error` line must fail.
 */
import { cat, randn, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { discriminator, generator, LATENT } from "../../examples/dcgan.js";
import { convBlock, down, UNet } from "../../examples/unet.js";
import { digitImages, loadBackbone } from "../../examples/finetune.js";
import { resnet18, type ResNet18 } from "../../src/models/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// ---- DCGAN: noise [B, 64, 1, 1] -> digits -> one logit each.
export const fake = generator().forward(randn([16, LATENT, 1, 1]));
export const score = discriminator().forward(fake);
export const realScore = discriminator().forward(randn([16, 1, 28, 28]));
// @ts-expect-error the generator takes 64 noise channels
generator().forward(randn([16, 100, 1, 1]));
// @ts-expect-error 32x32 images leave a 2x2 map after the 7x7 conv: [16, 4] logits, not [16, 1]
export const wrongSize: Tensor<[16, 1]> = discriminator().forward(randn([16, 1, 32, 32]));

// ---- U-Net: [N, 1, 28, 28] -> one logit per pixel, generic in the batch.
export const mask = new UNet().forward(randn([4, 1, 28, 28]));
export function batched<N extends number>(x: Tensor<[N, 1, 28, 28]>) {
  return new UNet().forward(x);
}
// @ts-expect-error the U-Net is written for 28x28 digits
new UNet().forward(randn([4, 1, 32, 32]));

// A decoder step whose conv block does not take the concatenated channels is a compile error.
class WrongSkip extends nn.Module {
  inc = convBlock(1, 16);
  down1 = down(16, 32);
  up1 = nn.ConvTranspose2d(32, 16, 2, { stride: 2 });
  dec1 = convBlock(16, 16);
  forward<N extends number>(x: Tensor<[N, 1, 28, 28]>) {
    const x1 = this.inc.forward(x);
    // @ts-expect-error nn.Sequential: layer 0 (Conv2d): cat gives 16 + 16 = 32 channels, the block takes 16
    return this.dec1.forward(cat([this.up1.forward(this.down1.forward(x1)), x1], 1));
  }
}
export const wrongSkip = new WrongSkip();

// ---- Fine-tuning: digits made into [B, 3, 32, 32] images, a ResNet-18 with a 10-class head.
export const digitBatch = digitImages(new Float32Array(4 * 784), 4);
export const digitLogits = resnet18({ numClasses: 10 }).forward(digitBatch);
// @ts-expect-error the new head gives 10 classes, not ImageNet's 1000
export const imagenetLogits: Tensor<[number, 1000]> = digitLogits;
// @ts-expect-error the backbone goes into the 10-class model, not a 1000-class one
loadBackbone(resnet18(), new Uint8Array());

export type Checks = [
  Expect<Equal<typeof fake, Tensor<[16, 1, 28, 28]>>>,
  Expect<Equal<typeof score, Tensor<[16, 1]>>>,
  Expect<Equal<typeof realScore, Tensor<[16, 1]>>>,
  Expect<Equal<typeof mask, Tensor<[4, 1, 28, 28]>>>,
  Expect<Equal<ReturnType<typeof batched<7>>, Tensor<[7, 1, 28, 28]>>>,
  Expect<Equal<typeof digitBatch, Tensor<[number, 3, 32, 32]>>>,
  Expect<Equal<typeof digitLogits, Tensor<[number, 10]>>>,
  Expect<Equal<Parameters<typeof loadBackbone>[0], ResNet18<10>>>,
];
