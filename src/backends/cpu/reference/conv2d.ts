/**
 * Reference conv2d and its two gradients, written as im2col + GEMM so that every step is a plain
 * linear map whose adjoint is visible in the code:
 *
 *   col[k, p]  = x[c, oh*sH - padTop + ki*dH, ow*sW - padLeft + kj*dW]   (0 outside the input)
 *                with k = (c*kH + ki)*kW + kj over one group's input channels, p = oh*Wo + ow
 *   y[o, p]    = sum_k w[o, k] col[k, p]                                    (forward)
 *   gw[o, k]   = sum_n sum_p gy[n, o, p] col_n[k, p]                        (weight gradient)
 *   gcol[k, p] = sum_o w[o, k] gy[o, p];  gx = col2im(gcol) = im2col^T(gcol) (input gradient)
 *
 * im2col and col2im are gather and scatterAdd over one tap table (the input offset each (k, p)
 * reads, or -1 for padding), so the input gradient reaches exactly the input cells the forward
 * read: rows and columns that no window touched (stride leftovers, rows skipped by dilation) get
 * exactly 0, as in PyTorch.
 *
 * Only zero padding is handled here; the other padding modes are an explicit pad first. The
 * bottom/right padding is implied by outHeight/outWidth: windows that run past the input read 0.
 */
import type { Conv2dGeometry } from "../../../primitives/index.js";
import { type FloatArray, assertKernel, castLike, gather, scatterAdd } from "./arrays.js";

interface ConvPlan {
  /** input channels per group */
  readonly cg: number;
  /** output channels per group */
  readonly og: number;
  /** rows of col: cg * kH * kW (also the length of one weight filter) */
  readonly k: number;
  /** columns of col: outHeight * outWidth */
  readonly p: number;
  /** for each (k, p): the offset inside one group's input block [cg, H, W], or -1 (padding) */
  readonly taps: Int32Array;
}

function plan(g: Conv2dGeometry): ConvPlan {
  assertKernel(g.inChannels % g.groups === 0 && g.outChannels % g.groups === 0, "channels must divide by groups");
  assertKernel(g.outHeight > 0 && g.outWidth > 0, "output size must be positive");
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const k = cg * g.kernelHeight * g.kernelWidth;
  const p = g.outHeight * g.outWidth;
  const plane = g.inHeight * g.inWidth;
  const taps = new Int32Array(k * p);
  for (let c = 0; c < cg; c++) {
    for (let ki = 0; ki < g.kernelHeight; ki++) {
      for (let kj = 0; kj < g.kernelWidth; kj++) {
        const row = ((c * g.kernelHeight + ki) * g.kernelWidth + kj) * p;
        for (let oh = 0; oh < g.outHeight; oh++) {
          const ih = oh * g.strideH - g.padTop + ki * g.dilationH;
          for (let ow = 0; ow < g.outWidth; ow++) {
            const iw = ow * g.strideW - g.padLeft + kj * g.dilationW;
            const inside = ih >= 0 && ih < g.inHeight && iw >= 0 && iw < g.inWidth;
            taps[row + oh * g.outWidth + ow] = inside ? c * plane + ih * g.inWidth + iw : -1;
          }
        }
      }
    }
  }
  return { cg, og, k, p, taps };
}

/** y [N, Cout, Ho, Wo] = conv2d(x [N, Cin, H, W], w [Cout, Cin/groups, kH, kW]), zero padding. */
export function conv2dForward<F extends FloatArray>(g: Conv2dGeometry, x: F, w: F): F {
  const { cg, og, k, p, taps } = plan(g);
  const inBlock = cg * g.inHeight * g.inWidth;
  const y = new Float64Array(g.batch * g.outChannels * p);
  const col = new Float64Array(k * p);
  for (let n = 0; n < g.batch; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      gather(taps, x, (n * g.groups + gi) * inBlock, col, 0); // im2col
      for (let oo = 0; oo < og; oo++) {
        const o = gi * og + oo;
        const yRow = (n * g.outChannels + o) * p;
        for (let kk = 0; kk < k; kk++) {
          const wv = w[o * k + kk];
          const colRow = kk * p;
          for (let pp = 0; pp < p; pp++) y[yRow + pp] += wv * col[colRow + pp];
        }
      }
    }
  }
  return castLike(x, y);
}

/**
 * gx [N, Cin, H, W] = the transposed conv of gy [N, Cout, Ho, Wo] with w: the adjoint of
 * conv2dForward in x, i.e. <conv2dForward(x, w), gy> = <x, conv2dBackInput(gy, w)> for all x.
 */
export function conv2dBackInput<F extends FloatArray>(g: Conv2dGeometry, gy: F, w: F): F {
  const { cg, og, k, p, taps } = plan(g);
  const inBlock = cg * g.inHeight * g.inWidth;
  const gx = new Float64Array(g.batch * g.inChannels * g.inHeight * g.inWidth);
  const gcol = new Float64Array(k * p);
  for (let n = 0; n < g.batch; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      gcol.fill(0);
      for (let oo = 0; oo < og; oo++) {
        const o = gi * og + oo;
        const gyRow = (n * g.outChannels + o) * p;
        for (let kk = 0; kk < k; kk++) {
          const wv = w[o * k + kk];
          const colRow = kk * p;
          for (let pp = 0; pp < p; pp++) gcol[colRow + pp] += wv * gy[gyRow + pp];
        }
      }
      scatterAdd(taps, gcol, 0, gx, (n * g.groups + gi) * inBlock); // col2im
    }
  }
  return castLike(gy, gx);
}

/**
 * gw [Cout, Cin/groups, kH, kW] = the correlation of x with gy: the adjoint of conv2dForward in w,
 * i.e. <conv2dForward(x, w), gy> = <w, conv2dBackWeight(x, gy)> for all w.
 */
export function conv2dBackWeight<F extends FloatArray>(g: Conv2dGeometry, x: F, gy: F): F {
  const { cg, og, k, p, taps } = plan(g);
  const inBlock = cg * g.inHeight * g.inWidth;
  const gw = new Float64Array(g.outChannels * k);
  const col = new Float64Array(k * p);
  for (let n = 0; n < g.batch; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      gather(taps, x, (n * g.groups + gi) * inBlock, col, 0); // im2col
      for (let oo = 0; oo < og; oo++) {
        const o = gi * og + oo;
        const gyRow = (n * g.outChannels + o) * p;
        for (let kk = 0; kk < k; kk++) {
          const colRow = kk * p;
          let acc = 0;
          for (let pp = 0; pp < p; pp++) acc += gy[gyRow + pp] * col[colRow + pp];
          gw[o * k + kk] += acc;
        }
      }
    }
  }
  return castLike(x, gw);
}

/** Sum of gy over batch and spatial positions per output channel: the bias gradient [Cout]. */
export function conv2dBiasGrad<F extends FloatArray>(g: Conv2dGeometry, gy: F): F {
  const p = g.outHeight * g.outWidth;
  const gb = new Float64Array(g.outChannels);
  for (let n = 0; n < g.batch; n++) {
    for (let o = 0; o < g.outChannels; o++) {
      const row = (n * g.outChannels + o) * p;
      let acc = 0;
      for (let pp = 0; pp < p; pp++) acc += gy[row + pp];
      gb[o] += acc;
    }
  }
  return castLike(gy, gb);
}

/**
 * y[n, o, :, :] += b[o] in place, over a conv output y the caller owns: the bias of conv2dBias on
 * the paths that add it after the conv (each sum rounded once to y's type, as the broadcast add
 * of conv2d + bias rounds it).
 */
export function addConv2dBias<F extends FloatArray>(g: Conv2dGeometry, y: F, b: F): F {
  const p = g.outHeight * g.outWidth;
  for (let n = 0; n < g.batch; n++) {
    for (let o = 0; o < g.outChannels; o++) {
      const row = (n * g.outChannels + o) * p;
      const v = b[o];
      for (let pp = 0; pp < p; pp++) y[row + pp] += v;
    }
  }
  return y;
}
