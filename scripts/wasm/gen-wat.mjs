// Generator of the WebAssembly text for shapegrad's fast float32 CPU kernels.
//
// Run through scripts/wasm/build-wasm.mjs, which writes src/backends/cpu/fast/wasm/kernels.generated.wat,
// assembles it with wabt and embeds the bytes in kernels.generated.ts. Generated rather than hand-written because the GEMM
// micro-kernel is fully unrolled over its MR x NR register tile.
//
// Memory model: one shared linear memory imported as env.memory, shared by the main thread and every
// pool worker. Each dispatchable kernel has the signature (params, item, scratch): `params` points
// at an i32 parameter block written by the TypeScript side (layout in PARAM and KERNEL_PARAMS below), `item` is the
// index of one independent unit of work (threads claim items dynamically) and `scratch` is the
// calling thread's private scratch area (first 128 bytes: the edge-tile buffer, then packed B, then
// anything else the kernel needs). All sizes are element counts unless a name ends in "Bytes".

/** Rows and columns of the register tile: 4 x 8 floats = 8 f32x4 accumulators. Measured fastest
 * under V8's register allocator (16 xmm registers, one reserved as scratch): 5x2 and 6x2 spill. */
export const MR = 4;
export const NR = 8;
/** Column indices of one B panel, for code unrolled over them. */
const PANEL = Array.from({ length: NR }, (_, j) => j);
/** Depth of one packed block along the reduction dimension: a B panel of KC x NR floats (16 KiB)
 * stays in L1 while the A panel (KC x MR) streams. 512 measured 1-4% faster than 256 on one thread
 * (fewer passes loading and storing C, fewer packing passes), and the same as 384. */
export const KC = 512;
/** Bytes reserved at the start of each thread's scratch for the edge tile. */
export const EDGE_BYTES = 128;
/** Rows of x per item of the transpose kernel. */
export const TRANSPOSE_BAND = 64;

/**
 * The i32 parameter block every kernel reads (indices, not byte offsets): fields that mean the same
 * to every kernel reading them (operands, conv geometry, blocking) at fixed slots, and five slots,
 * OWN_SLOT.., that each kernel names for itself in KERNEL_PARAMS.
 */
export const PARAM = {
  x: 0, a: 1, y: 2, batch: 3, inC: 4, inH: 5, inW: 6, outC: 7, kH: 8, kW: 9, outH: 10, outW: 11,
  sH: 12, sW: 13, dH: 14, dW: 15, padT: 16, padL: 17, groups: 18, block: 19, nBlocks: 20,
  tail: 26, tailBlock: 27, tailM: 28, tailRows: 29, offsets: 30, denseW: 31, biasAt: 32,
};
// denseW: a wide conv_fwd's output width when it stores into the dense output (block_direct_dense;
// 0: it stores the wide layout); biasAt: 0, or the bias conv_fwd adds (block_direct_dense with its
// last reduction block, else each item once its sums are complete; never with a wide output).
export const PARAM_COUNT = 34;
const OWN_SLOT = 21;
const OWN_SLOTS = 5;

/** conv_fwd's own slots, which pack_b_conv shares (one block is written for both jobs). */
const CONV_FWD = [
  "rowsPerBlock", // output channels per channel block (a multiple of MR)
  "rowBlocks", // channel blocks
  "prepacked", // 0, or the address of the B blocks pack_b_conv packed once (prepackAt)
  "wide", // 1: B is "wide" (the layout above pad_phases), read in place (block_direct); 0: gathered (pack_b_gather)
  "stride", // s of a wide conv: the phase planes per side
];
/**
 * The dispatchable kernels (the module's exports that jobs run) and what each keeps in its own
 * slots, in slot order; null leaves a slot unused. The TypeScript side writes the block through
 * these names (KERNEL_PARAMS in kernels.generated.ts), and the kernels read them with K().
 */
export const KERNEL_OWN_PARAMS = {
  pack_a: ["rows", "depth", "rowStride", "colStride"],
  // of the forward weights W being flipped: input and output channels per group, taps per kernel
  pack_a_flip: ["inPerGroup", "outPerGroup", "taps"],
  pack_b_conv: CONV_FWD,
  pad_input: ["rows", "cols", "planes", "planesPerItem"],
  pad_phases: ["phaseRows", "phaseCols", null, null, "stride"],
  // bias: 0, or conv2dBias's bias (channels floats), added to each plane once compacted
  compact: [null, "wideWidth", "bias", "channels"],
  conv_fwd: CONV_FWD,
  conv_bwd_in: ["chunkChannels", "chunks", "bandRows", "parity", "bandsPerParity"],
  conv_bwd_w: [null, null, null, "wide", "stride"],
  matmul: ["m", "k", "n", "rowsPerBlock", "rowBlocks"],
  // out[n][o] = sum over s < sources of corr(x[n][floor(o / outputsPerStep) sourceStep + s], ...)
  dw_conv: ["sources", "outputsPerStep", "sourceStep", "planesPerItem"],
  dw_bwd_in: ["multiplier"],
  dw_bwd_w: ["multiplier", "outPerItem", "padded"],
  find_nonfinite: ["count"],
  zero: ["count"],
  // mode: 0 scalar windows, 1 2x2 at stride 2 (pool2x2Step), 2 three columns wide at stride 2 (pool3WideStep)
  pool_argmax: ["mode", "maxima", "planes", "planesPerItem"],
  pool_scatter: [null, null, "planes", "planesPerItem"],
  transpose: ["rows", "cols"],
  // interpolate and its adjoint (interpolateKernels): the f64 weight tables' address, 1 for nearest
  interp_fwd: ["weights", "nearest", "planes", "planesPerItem"],
  interp_adj: ["weights", "nearest", "planes", "planesPerItem"],
  // conv2dBias's per-channel add (biasKernel): floats per plane, channels the planes cycle over
  add_bias: ["plane", "channels", "planes", "planesPerItem"],
  // issue 23 (i23-step2): batch norm's backward (batchNormKernels); batch = P("batch"), channels = P("inC")
  // relu: 1 for batchNormReluTrain (its mask recomputed from x with the table's scale and bias)
  bn_bwd: ["inner", "relu", "table", "wantInput"],
  // Winograd F(2x2, 3x3) conv (winogradKernels): tile rows, tiles per tile row (a multiple of 4), bias or 0
  wino_conv: ["tilesH", "tilesW", "bias", "slicePad"],
  // its U from the weights x (wino_weights): floats between output channels and between input channels, 1 if flipped
  wino_weights: ["coStride", "ciStride", "flip"],
  // issue 23 (i23-wgrad): Winograd's weight gradient (winogradWgradKernels): tile rows, tiles per
  // tile row, tiles per lane, floats after each xi's slice of
  // the scratch; then the lanes' sum and G^T dU G
  wino_wgrad: ["tilesH", "tilesW", "laneTiles", "slicePad"],
  wino_wgrad_out: ["lanes"],
  // issue 23 (i23-demo): MaxPool2d(2)'s gradient (demoKernels); fill: 1 when the windows leave cells
  // of the planes uncovered (an odd height or width), which must then be zeroed
  pool_scatter_2x2: ["fill", null, "planes", "planesPerItem"],
  // issue 23 (i23-bn): batch norm's forward (batchNormForwardKernels); batch = P("batch"), channels = P("inC")
  bn_stats: ["inner", "table"],
  bn_fwd: ["inner", "table", "relu"],
};

/** Every kernel's whole layout: PARAM's fields and its own slots by name. */
export const KERNEL_PARAMS = Object.fromEntries(Object.entries(KERNEL_OWN_PARAMS).map(([kernel, own]) => {
  if (own.length > OWN_SLOTS) throw new Error(`${kernel}: ${own.length} own slots, at most ${OWN_SLOTS}`);
  const named = own.flatMap((name, i) => (name === null ? [] : [[name, OWN_SLOT + i]]));
  for (const [name] of named) if (name in PARAM) throw new Error(`${kernel}: own slot ${name} shadows a shared field`);
  return [kernel, Object.fromEntries(named)];
}));

const P = (name) => `(i32.load offset=${PARAM[name] * 4} (local.get $p))`;
/** The field `name` of `kernel`'s own slots (a typo or a missing name fails the build). */
const K = (kernel, name) => {
  const slot = KERNEL_PARAMS[kernel]?.[name];
  if (slot === undefined) throw new Error(`${kernel} has no parameter ${name}`);
  return `(i32.load offset=${slot * 4} (local.get $p))`;
};
const loc = (...names) => names.map((n) => `(local $${n} i32)`).join(" ");
const get = (n) => `(local.get $${n})`;
const set = (n, v) => `(local.set $${n} ${v})`;
const add = (a, b) => `(i32.add ${a} ${b})`;
const sub = (a, b) => `(i32.sub ${a} ${b})`;
const mul = (a, b) => `(i32.mul ${a} ${b})`;
const c = (v) => `(i32.const ${v})`;
const inc = (n, by = 1) => set(n, add(get(n), c(by)));
/** min of two signed i32 expressions (both are evaluated: pass side-effect-free ones). */
const min = (a, b) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
/**
 * for (v = start; v < end; v += step) body; `end` (and an expression `step`) is re-evaluated each
 * time. Emitted as a guarded do-while: TurboFan hoists a loop-invariant computation out of a loop
 * only from blocks that dominate every exit of the loop, and in a loop tested at the top the body
 * dominates none, so every address or offset computed from locals set outside it was recomputed on
 * every iteration (16 divisions per row of eight floats in pack_b_gather).
 */
let labelCounter = 0;
function loop(v, start, end, body, step = 1) {
  const l = `L${labelCounter++}`;
  return `${set(v, start)}
(if (i32.lt_s ${get(v)} ${end}) (then (loop $${l}
  ${body}
  ${typeof step === "number" ? inc(v, step) : set(v, add(get(v), step))}
  (br_if $${l} (i32.lt_s ${get(v)} ${end})))))`;
}

/**
 * for (v = start; v + step <= end; v += step) body: whole steps only (vectors of `step` floats);
 * v then holds the first value not run, where a scalar tail starts.
 */
function loopWhole(v, start, end, body, step) {
  return loop(v, start, sub(end, c(step - 1)), body, step);
}

/** The tap (ch, ki, kj) of im2col row k (k = (ch kH + ki) kW + kj), into those locals; needs
 * locals t, kH, kW. */
const tapOfRow = (k) => `${set("t", `(i32.rem_u ${k} ${mul(get("kH"), get("kW"))})`)}
  ${set("ch", `(i32.div_u ${k} ${mul(get("kH"), get("kW"))})`)}
  ${set("ki", `(i32.div_u ${get("t")} ${get("kW")})`)}
  ${set("kj", `(i32.rem_u ${get("t")} ${get("kW")})`)}`;
/** Steps (ch, ki, kj) to the next im2col row without dividing; `onRow` / `onPlane` run when kj /
 * ki wrap. */
const nextTap = (onRow = "", onPlane = "") => `${inc("kj")}
  (if (i32.eq ${get("kj")} ${get("kW")}) (then
    ${set("kj", c(0))} ${inc("ki")} ${onRow}
    (if (i32.eq ${get("ki")} ${get("kH")}) (then ${set("ki", c(0))} ${inc("ch")} ${onPlane}))))`;

/** pack_b_gather's loop over rows k of one panel: `copy` moves row k's eight floats from the tap
 * pointer (plus the panel's pixel offsets) to d. */
const gatherRows = (copy) => loop("kk", c(0), get("kc"), `${copy}
  ${set("d", add(get("d"), c(NR * 4)))}
  ${set("tap", add(get("tap"), mul(get("dW"), c(4))))}
  ${nextTap(set("tap", add(get("tap"), get("rowStep"))), set("tap", add(get("tap"), get("planeStep"))))}`);

/** 1 when the conv in the parameter block is 3x3 at stride 1 and dilation 1 (the dw3x3 kernels). */
const isUnit3x3 = () => `(i32.eqz (i32.or (i32.or ${sub(P("kH"), c(3))} ${sub(P("kW"), c(3))})
  (i32.or (i32.or ${sub(P("dH"), c(1))} ${sub(P("dW"), c(1))}) (i32.or ${sub(P("sH"), c(1))} ${sub(P("sW"), c(1))}))))`;

/**
 * The range [start, start + len) of block `idx` of an `extent` cut into blocks where the first
 * `count` are `narrow` wide and the others `wide` (every name a local, or an expression). Jobs
 * claim items from the last index down, so the narrow blocks are the last claimed: the threads
 * then finish within a narrow item of each other instead of a wide one (narrowTail in src/backends/cpu/fast/conv.ts).
 */
const narrowFirst = (idx, count, narrow, wide, extent, start, len) => `(if (i32.lt_u ${idx} ${count})
    (then ${set(start, mul(idx, narrow))} ${set(len, min(narrow, sub(extent, get(start))))})
    (else ${set(start, add(mul(count, narrow), mul(sub(idx, count), wide)))}
      ${set(len, min(wide, sub(extent, get(start))))}))`;
/** Pixels [n0, n0 + nc) of a forward conv's pixel block nb (locals nb, n0, nc, N). */
const pixelRange = () => narrowFirst(get("nb"), P("tail"), P("tailBlock"), P("block"), get("N"), "n0", "nc");
/** Planes [pl, end) of a per-plane job's item: planesPerItem consecutive planes of the `planes` in all (locals pl, end). */
const planeRange = (kernel) => `${set("pl", mul(get("item"), K(kernel, "planesPerItem")))}
  ${set("end", min(add(get("pl"), K(kernel, "planesPerItem")), K(kernel, "planes")))}`;

/** Byte address, in the B blocks packed once by pack_b_conv (at `prepacked`), of rows k0.. of the pixel
 * block [n0, n0 + nc) of image-group ig (locals ig, nb, n0, k0, K): each image-group holds K x
 * capacity floats (capacity = the pixels its blocks span), a block K x its width from K n0 on,
 * and within it each KC-row block kc x width. */
const prepackAt = () => add(K("conv_fwd", "prepacked"), mul(add(
  mul(get("ig"), mul(get("K"), add(mul(P("tail"), P("tailBlock")), mul(sub(P("nBlocks"), P("tail")), P("block"))))),
  add(mul(get("K"), get("n0")), mul(get("k0"), `(select ${P("tailBlock")} ${P("block")} (i32.lt_u ${get("nb")} ${P("tail")}))`))), c(4)));

/**
 * Whether the module being generated fuses the GEMM tile's multiply-adds (relaxed SIMD's
 * f32x4.relaxed_madd, one vfmadd231ps on x64 with FMA3) or keeps f32x4.mul then f32x4.add. Set by
 * generateWat; build-wasm.mjs assembles both and the runtime picks the fused module where the engine
 * validates it (kernel-module.ts). A fused multiply-add rounds once where mul + add rounds twice, so
 * the two modules' results differ in the last bits (both within the fast-vs-reference tolerance);
 * on a CPU without FMA3 the engine lowers relaxed_madd to mul + add, which relaxed SIMD allows.
 * Taller tiles with FMA (5x8, 6x8: 10-12 accumulators) measured slower, 0.43-0.72x: TurboFan
 * issues all of a k's broadcast loads before its arithmetic, so TALL broadcasts are live at once
 * and the accumulators spill (bench/RESULTS.md, session 15).
 */
let FMA = false;
/** acc + a * b: fused in the FMA module, a multiply then an add otherwise. */
const madd = (acc, a, b) => (FMA ? `(f32x4.relaxed_madd ${a} ${b} ${acc})` : `(f32x4.add ${acc} (f32x4.mul ${a} ${b}))`);

/**
 * The register-blocked micro-kernel: C[MR x NR] (+)= A_panel[kc x MR]^T B_panel[kc x NR]. `direct`:
 * $tile_direct, whose B rows are not packed but read in place, row k at b + o[k] (o: i32 byte
 * offsets, one per row), for block_direct.
 */
function tileKernel(direct = false) {
  const NV = NR / 4;
  const acc = [];
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) acc.push([r, v]);
  const row = (r) => (r === 0 ? get("c") : add(get("c"), mul(get("ldc"), c(r))));
  const bRow = direct ? "(local.get $br)" : "(local.get $b)";
  let s = `;; C (row stride ldc bytes) = (accum ? C : 0) + sum over k of a[k*MR + r] * b[k*NR + j]${direct ? " (b[o[k]/4 + j])" : ""}
(func $tile${direct ? "_direct" : ""} (param $a i32) (param $b i32)${direct ? " (param $o i32)" : ""} (param $c i32) (param $kc i32) (param $ldc i32) (param $accum i32)
  ${direct ? "(local $br i32) " : ""}${Array.from({ length: NV }, (_, v) => `(local $b${v} v128)`).join(" ")} (local $av v128)
  ${acc.map(([r, v]) => `(local $c${r}_${v} v128)`).join(" ")}
  (if (local.get $accum) (then
    ${acc.map(([r, v]) => `(local.set $c${r}_${v} (v128.load offset=${v * 16} ${row(r)}))`).join("\n    ")}))
  (loop $k
    ${direct ? "(local.set $br (i32.add (local.get $b) (i32.load (local.get $o))))\n    " : ""}${Array.from({ length: NV }, (_, v) => `(local.set $b${v} (v128.load offset=${v * 16} ${bRow}))`).join("\n    ")}
`;
  for (let r = 0; r < MR; r++) {
    s += `    (local.set $av (v128.load32_splat offset=${r * 4} (local.get $a)))\n`;
    for (let v = 0; v < NV; v++) {
      s += `    (local.set $c${r}_${v} ${madd(`(local.get $c${r}_${v})`, "(local.get $av)", `(local.get $b${v})`)})\n`;
    }
  }
  s += `    (local.set $a (i32.add (local.get $a) (i32.const ${MR * 4})))
    ${direct ? "(local.set $o (i32.add (local.get $o) (i32.const 4)))" : `(local.set $b (i32.add (local.get $b) (i32.const ${NR * 4})))`}
    (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
  ${acc.map(([r, v]) => `(v128.store offset=${v * 16} ${row(r)} (local.get $c${r}_${v}))`).join("\n  ")})
`;
  return s;
}

/**
 * y (+)= corr(plane, 3x3 kernel) at stride 1, dilation 1 (written by $dw3x3_plane, written plus a
 * bias by $dw3x3_plane_bias, added to y by $dw3x3_plane_acc: one function per mode, not a per-step
 * test of a flag): two output rows
 * by eight columns per step, so each loaded input vector serves both rows (24 loads for 36
 * multiply-adds, against 45 for the one-row kernel of dw_conv), with the nine weights held in
 * registers for the whole plane. A row's last OW mod 8 columns take a four-column step and then one
 * four-column step ending at the row's end, whose lanes already computed are masked off when adding
 * (a 28-wide row is 3 x 8 + 4: one output at a time, its last four outputs cost more than the other
 * 24). An odd last row takes the same steps one row high; planes under four columns wide go one
 * output at a time.
 */
function dw3x3Plane(mode) {
  const acc = mode === "acc";
  const w = (i, j) => `(local.get $w${i * 3 + j})`;
  // "bias": the bias at $bp added to each finished sum as it is stored (the float32 add add_bias
  // would make after the conv: the same bits), broadcast from memory at each store rather than
  // held in a 15th vector register
  const biased = (v) => (mode === "bias" ? `(f32x4.add ${v} (v128.load32_splat (local.get $bp)))` : v);
  const rowPtrs = ["r0", "r1", "r2", "r3", "o0", "o1"];
  const advance = (bytes) => rowPtrs.map((r) => set(r, add(get(r), c(bytes)))).join(" ");
  /** `rows` (1 or 2) output rows by `nv` vectors at the row pointers; `masked`: one vector, from 0,
   * only its lanes in $mask added into y (written whole when not $acc). */
  const step = (rows, nv, masked = false) => {
    const accs = [];
    for (let r = 0; r < rows; r++) for (let v = 0; v < nv; v++) accs.push([r, v]);
    const init = ([r, v]) =>
      `(local.set $a${r}${v} ${acc && !masked ? `(v128.load offset=${16 * v} (local.get $o${r}))` : "(v128.const i32x4 0 0 0 0)"})`;
    let body = accs.map(init).join(" ");
    for (let i = 0; i < rows + 2; i++) {
      for (let j = 0; j < 3; j++) {
        for (let v = 0; v < nv; v++) {
          body += `\n(local.set $t (v128.load offset=${16 * v + 4 * j} (local.get $r${i})))`;
          if (i <= 2) body += `\n(local.set $a0${v} ${madd(`(local.get $a0${v})`, w(i, j), "(local.get $t)")})`;
          if (rows === 2 && i >= 1) body += `\n(local.set $a1${v} ${madd(`(local.get $a1${v})`, w(i - 1, j), "(local.get $t)")})`;
        }
      }
    }
    // lanes 4 - rem .. 3 of the last step are new (the mask is built here, not held across the
    // plane: 9 weights, 4 accumulators and a load already take 14 of the 15 vector registers
    // V8 allocates on x64)
    const store = ([r, v]) => `(v128.store offset=${16 * v} (local.get $o${r}) ${masked && acc
      ? `(f32x4.add (v128.load (local.get $o${r}))
          (v128.and (local.get $a${r}0) (i32x4.gt_s (v128.const i32x4 0 1 2 3) (i32x4.splat ${sub(c(3), get("rem"))}))))`
      : biased(`(local.get $a${r}${v})`)})`;
    return `${body}\n${accs.map(store).join(" ")}`;
  };
  const out = (row, col) => add(get("outp"), mul(add(mul(row, get("OW")), col), c(4)));
  const one = (row, col) => {
    const sum = Array.from({ length: 9 }, (_, t) => `(f32.mul (f32.load offset=${4 * t} ${get("wp")})
          (f32.load ${add(get("buf"), mul(add(mul(add(row, c(Math.floor(t / 3))), get("ws")), add(col, c(t % 3))), c(4)))}))`)
      .reduce((partial, term) => `(f32.add ${partial} ${term})`, acc ? `(f32.load ${out(row, col)})` : "(f32.const 0)");
    return `(f32.store ${out(row, col)} ${mode === "bias" ? `(f32.add ${sum} (f32.load (local.get $bp)))` : sum})`;
  };
  /** Output rows oh (and oh + 1 when rows = 2), all columns. */
  const rowsAt = (rows) => `
    ${set("r0", add(get("buf"), mul(mul(get("oh"), get("ws")), c(4))))}
    ${set("r1", add(get("r0"), mul(get("ws"), c(4))))}
    ${set("r2", add(get("r1"), mul(get("ws"), c(4))))}
    ${set("r3", add(get("r2"), mul(get("ws"), c(4))))}
    ${set("o0", add(get("outp"), mul(mul(get("oh"), get("OW")), c(4))))}
    ${set("o1", add(get("o0"), mul(get("OW"), c(4))))}
    (if (i32.ge_s ${get("OW")} ${c(4)})
      (then
        ${loop("ow", c(0), get("W8"), `${step(rows, 2)}
${advance(32)}`, 8)}
        (if (i32.and ${get("OW")} ${c(4)}) (then ${step(rows, 1)} ${advance(16)}))
        ;; back to column OW - 4
        (if ${get("rem")} (then
          ${rowPtrs.map((r) => set(r, add(get(r), sub(mul(get("rem"), c(4)), c(16))))).join(" ")}
          ${step(rows, 1, true)})))
      (else
        ${loop("ow", c(0), get("OW"), Array.from({ length: rows }, (_, r) => one(add(get("oh"), c(r)), get("ow"))).join("\n"))}))`;
  return `(func $dw3x3_plane${mode === "write" ? "" : `_${mode}`} (param $buf i32) (param $ws i32) (param $wp i32) (param $outp i32) (param $OH i32) (param $OW i32)${mode === "bias" ? " (param $bp i32)" : ""}
  ${loc("oh", "ow", "r0", "r1", "r2", "r3", "o0", "o1", "W8", "rem")}
  ${Array.from({ length: 9 }, (_, t) => `(local $w${t} v128)`).join(" ")}
  (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $t v128)
  ${Array.from({ length: 9 }, (_, t) => `(local.set $w${t} (v128.load32_splat offset=${4 * t} (local.get $wp)))`).join("\n  ")}
  ${set("W8", `(i32.and ${get("OW")} (i32.const -8))`)}
  ${set("rem", `(i32.and ${get("OW")} (i32.const 3))`)}
  ${loop("oh", c(0), sub(get("OH"), c(1)), rowsAt(2), 2)}
  ;; an odd last row
  (if (i32.and ${get("OH")} (i32.const 1)) (then
    ${set("oh", sub(get("OH"), c(1)))}
    ${rowsAt(1)}))
)`;
}

/**
 * dW[o] += corr(gy plane, zero-bordered x plane) at stride 1, dilation 1, for a block of `rows`
 * kernel rows by `cols` taps (all of a 3x3 kernel, or one row of a 1xK, 3, 5 or 7 wide): each
 * vector of four gy pixels is loaded once and multiplied into all the block's accumulators
 * (against a pass over the plane per tap), so a 3x3 step is 10 loads for 36 multiply-adds. `buf`
 * is the plane at the block's first kernel row, `dst` its first tap (rows of `cols` floats). The
 * last OW mod 4 pixels of a row take one more step whose products are masked to zero past the
 * row's end (the mask is applied to the product, so an infinity in x past the row cannot turn into
 * a NaN).
 */
function dwWgrad(rows, cols) {
  const taps = Array.from({ length: rows * cols }, (_, t) => t);
  const mac = (masked) => taps.map((t) => {
    const prod = `(f32x4.mul (local.get $g) (v128.load offset=${4 * (t % cols)} ${add(get(`x${Math.floor(t / cols)}`), mul(get("ow"), c(4)))}))`;
    return `(local.set $k${t} (f32x4.add (local.get $k${t}) ${masked ? `(v128.and ${prod} (local.get $mask))` : prod}))`;
  }).join("\n      ");
  const xs = Array.from({ length: rows }, (_, i) => `x${i}`);
  return `(func $dw_wgrad_${rows}x${cols} (param $buf i32) (param $ws i32) (param $gyp i32) (param $OH i32) (param $OW i32) (param $dst i32)
  ${loc("oh", "ow", "gr", "W4", ...xs)}
  ${taps.map((t) => `(local $k${t} v128)`).join(" ")} (local $g v128) (local $mask v128)
  ${set("W4", `(i32.and ${get("OW")} (i32.const -4))`)}
  ;; lanes 0 .. OW mod 4 - 1 of the last step are pixels
  (local.set $mask (i32x4.gt_s (i32x4.splat ${sub(get("OW"), get("W4"))}) (v128.const i32x4 0 1 2 3)))
  ${loop("oh", c(0), get("OH"), `
    ${set("gr", add(get("gyp"), mul(mul(get("oh"), get("OW")), c(4))))}
    ${xs.map((x, i) => set(x, add(get("buf"), mul(mul(add(get("oh"), c(i)), get("ws")), c(4))))).join("\n    ")}
    ${loop("ow", c(0), get("W4"), `
      (local.set $g (v128.load ${add(get("gr"), mul(get("ow"), c(4)))}))
      ${mac(false)}`, 4)}
    (if (i32.lt_s ${get("W4")} ${get("OW")}) (then
      ;; reads up to three floats past the gy plane: the caller's layout has them
      (local.set $g (v128.load ${add(get("gr"), mul(get("ow"), c(4)))}))
      ${mac(true)}))`)}
  ${taps.map((t) => `(f32.store offset=${4 * t} ${get("dst")} (f32.add (f32.load offset=${4 * t} ${get("dst")})
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $k${t})) (f32x4.extract_lane 1 (local.get $k${t})))
      (f32.add (f32x4.extract_lane 2 (local.get $k${t})) (f32x4.extract_lane 3 (local.get $k${t}))))))`).join("\n  ")})`;
}

/** Kernel widths with a one-row weight-gradient block (dwWgrad(1, w)). */
const WGRAD_ROW_WIDTHS = [3, 5, 7];

/**
 * Max pooling's 2x2 windows at stride 2 (MaxPool2d(2)): four windows, ow .. ow + 3 of the row at
 * rowBase, from two rows of eight floats, their cells (0,0) (0,1) (1,0) (1,1) being the even and
 * odd lanes of each row; argmax at o, maxima at o + vals.
 */
function pool2x2Step() {
  return `${set("r", add(P("x"), mul(add(get("rowBase"), mul(get("ow"), c(2))), c(4))))}
        (local.set $bv (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 ${get("r")}) (v128.load offset=16 ${get("r")})))
        (local.set $iv (v128.const i32x4 0 0 0 0))
        ${[["4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31", "(local.get $r)", "(i32x4.splat (i32.const 1))"],
          ["0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27", `${add(get("r"), mul(get("W"), c(4)))}`, `(i32x4.splat ${get("W")})`],
          ["4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31", `${add(get("r"), mul(get("W"), c(4)))}`, `(i32x4.splat ${add(get("W"), c(1))})`]]
          .map(([lanes, row, off]) => `
        (local.set $cv (i8x16.shuffle ${lanes} (v128.load offset=0 ${row}) (v128.load offset=16 ${row})))
        (local.set $mv (v128.or (f32x4.gt (local.get $cv) (local.get $bv)) (f32x4.ne (local.get $cv) (local.get $cv))))
        (local.set $bv (v128.bitselect (local.get $cv) (local.get $bv) (local.get $mv)))
        (local.set $iv (v128.bitselect ${off} (local.get $iv) (local.get $mv)))`).join("")}
        (v128.store ${get("o")} (i32x4.add (local.get $iv)
          (i32x4.add (i32x4.splat ${add(get("rowBase"), mul(get("ow"), c(2)))}) (v128.const i32x4 0 2 4 6))))
        (v128.store ${add(get("o"), get("vals"))} (local.get $bv))`;
}

/**
 * One window of pool_argmax the scalar way, at output ow of the row (locals ow, o, rowBase, kiLo,
 * kiHi; tables cs, cl, ch), then o to the next window: its in-range taps in row-major order.
 */
function poolWindow() {
  return `
      ${set("kjLo", `(i32.load ${add(get("cl"), mul(get("ow"), c(4)))})`)}
      ${set("kjHi", `(i32.load ${add(get("ch"), mul(get("ow"), c(4)))})`)}
      (if (i32.or (i32.gt_s ${get("kiLo")} ${get("kiHi")}) (i32.gt_s ${get("kjLo")} ${get("kjHi")}))
        (then (i32.store ${get("o")} ${c(-1)}) (f32.store ${add(get("o"), get("vals"))} (f32.const -inf)))
        (else
          ${set("win", add(add(add(get("rowBase"), `(i32.load ${add(get("cs"), mul(get("ow"), c(4)))})`),
            mul(get("kiLo"), get("dh"))), mul(get("kjLo"), get("dw"))))}
          ${set("at", get("win"))}
          (local.set $best (f32.load ${add(P("x"), mul(get("win"), c(4)))}))
          ${loop("ki", get("kiLo"), add(get("kiHi"), c(1)), `
            ${set("r", add(get("win"), mul(sub(get("ki"), get("kiLo")), get("dh"))))}
            ${loop("kj", get("kjLo"), add(get("kjHi"), c(1)), `
              ${set("i", add(get("r"), mul(sub(get("kj"), get("kjLo")), get("dw"))))}
              (local.set $v (f32.load ${add(P("x"), mul(get("i"), c(4)))}))
              ${set("wins", `(i32.or (f32.gt (local.get $v) (local.get $best)) (f32.ne (local.get $v) (local.get $v)))`)}
              (local.set $best (select (local.get $v) (local.get $best) ${get("wins")}))
              ${set("at", `(select ${get("i")} ${get("at")} ${get("wins")})`)}`)}`)}
          (i32.store ${get("o")} ${get("at")})
          (f32.store ${add(get("o"), get("vals"))} (local.get $best))))
      ${inc("o", 4)}`;
}

/**
 * Mode 2 (three columns at stride 2, dilation 1): [owA, owB), the outputs whose three columns are
 * all inside x (a run: the windows' starts move by 2), from the column tables. Once per item.
 */
function pool3WideColumns() {
  const whole = (ow) => `(i32.and (i32.eqz (i32.load ${add(get("cl"), mul(ow, c(4)))}))
    (i32.eq (i32.load ${add(get("ch"), mul(ow, c(4)))}) ${c(2)}))`;
  return `${set("owA", get("OW"))} ${set("owB", get("OW"))}
  (if (i32.eq ${K("pool_argmax", "mode")} ${c(2)}) (then
    ${set("owA", c(0))}
    (block $found (loop $scan
      (br_if $found (i32.ge_s ${get("owA")} ${get("OW")}))
      (br_if $found ${whole(get("owA"))})
      ${inc("owA")} (br $scan)))
    ${set("owB", get("owA"))}
    (block $past (loop $scanEnd
      (br_if $past (i32.ge_s ${get("owB")} ${get("OW")}))
      (br_if $past (i32.eqz ${whole(get("owB"))}))
      ${inc("owB")} (br $scanEnd)))))`;
}

/**
 * Four windows of mode 2 from output ow (locals ow, o, rowBase, kiLo..kiHi, dh): window j's taps
 * of row ki are columns c0 + 2j + kj, kj < 3, of that row. Per row, ten floats c0..c0 + 9 in four
 * loads (at c0, c0 + 4 and c0 + 2, c0 + 6, the last float unused: still inside the memory, the
 * layout's next region follows x); even lanes of the first pair are tap 0 of the four windows, odd
 * lanes tap 1, even lanes of the second pair tap 2. Each tap in row-major order goes through the
 * scalar path's compare and select, lane by lane, so ties and NaNs pick the same tap; the argmax
 * lanes hold the tap's offset from the window start until the store.
 */
function pool3WideStep() {
  const even = "0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27",
    odd = "4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31";
  const tap = (lanes, a, b, kj) => `
          (local.set $cv (i8x16.shuffle ${lanes} (local.get ${a}) (local.get ${b})))
          (local.set $mv (v128.or (f32x4.gt (local.get $cv) (local.get $bv)) (f32x4.ne (local.get $cv) (local.get $cv))))
          (local.set $bv (v128.bitselect (local.get $cv) (local.get $bv) (local.get $mv)))
          (local.set $iv (v128.bitselect (i32x4.splat ${add(mul(get("ki"), get("dh")), c(kj))}) (local.get $iv) (local.get $mv)))`;
  return `${set("c0", add(get("rowBase"), `(i32.load ${add(get("cs"), mul(get("ow"), c(4)))})`))}
        ${set("r", add(P("x"), mul(add(get("c0"), mul(get("kiLo"), get("dh"))), c(4))))}
        (local.set $bv (i8x16.shuffle ${even} (v128.load ${get("r")}) (v128.load offset=16 ${get("r")})))
        (local.set $iv (i32x4.splat ${mul(get("kiLo"), get("dh"))}))
        ${loop("ki", get("kiLo"), add(get("kiHi"), c(1)), `
          ${set("r", add(P("x"), mul(add(get("c0"), mul(get("ki"), get("dh"))), c(4))))}
          (local.set $l0 (v128.load ${get("r")})) (local.set $l1 (v128.load offset=16 ${get("r")}))
          (local.set $m0 (v128.load offset=8 ${get("r")})) (local.set $m1 (v128.load offset=24 ${get("r")}))
          ${tap(even, "$l0", "$l1", 0)}${tap(odd, "$l0", "$l1", 1)}${tap(even, "$m0", "$m1", 2)}`)}
        (v128.store ${get("o")} (i32x4.add (local.get $iv)
          (i32x4.add (i32x4.splat ${get("c0")}) (v128.const i32x4 0 2 4 6))))
        (v128.store ${add(get("o"), get("vals"))} (local.get $bv))`;
}

/**
 * Mode 2's part of one output row: the windows before owA one by one, then [owA, owB) four a step
 * (the last ones by one more step over the run's last four, written twice with the same values, as
 * the 2x2 path), leaving ow at owB for the scalar loop of the rest. A row with no tap inside (kiLo >
 * kiHi) is left to the scalar loop whole.
 */
function pool3WideRow() {
  return `(if (i32.and (i32.le_s ${get("kiLo")} ${get("kiHi")}) (i32.ge_s (i32.sub ${get("owB")} ${get("owA")}) ${c(4)})) (then
      ${loop("ow", c(0), get("owA"), poolWindow())}
      ${loopWhole("ow", get("owA"), get("owB"), `${pool3WideStep()}
        ${inc("o", 16)}`, 4)}
      (if (i32.lt_s ${get("ow")} ${get("owB")}) (then
        ${set("o", add(get("o"), mul(sub(sub(get("owB"), c(4)), get("ow")), c(4))))}
        ${set("ow", sub(get("owB"), c(4)))}
        ${pool3WideStep()}
        ${set("o", add(get("o"), c(16)))}
        ${set("ow", get("owB"))}))))`;
}

/**
 * A partial tile (rows < MR or cols < NR): run the full kernel on the thread's edge buffer and copy
 * back only the valid part, so the kernel never reads or writes past the matrix. `direct`: of
 * $tile_direct (B rows read in place at b + o[k]).
 */
function tileEdge(direct = false) {
  const sfx = direct ? "_direct" : "";
  return `(func $tile_edge${sfx} (param $a i32) (param $b i32)${direct ? " (param $o i32)" : ""} (param $c i32) (param $kc i32) (param $ldc i32)
    (param $accum i32) (param $rows i32) (param $cols i32) (param $tmp i32)
  ${loc("r", "j")}
  (if (local.get $accum) (then
    ${loop("r", c(0), get("rows"), loop("j", c(0), get("cols"),
      `(f32.store ${add(get("tmp"), mul(add(mul(get("r"), c(NR)), get("j")), c(4)))}
         (f32.load ${add(add(get("c"), mul(get("r"), get("ldc"))), mul(get("j"), c(4)))}))`))}))
  (call $tile${sfx} (local.get $a) (local.get $b)${direct ? " (local.get $o)" : ""} (local.get $tmp) (local.get $kc) (i32.const ${NR * 4}) (local.get $accum))
  ${loop("r", c(0), get("rows"), loop("j", c(0), get("cols"),
    `(f32.store ${add(add(get("c"), mul(get("r"), get("ldc"))), mul(get("j"), c(4)))}
       (f32.load ${add(get("tmp"), mul(add(mul(get("r"), c(NR)), get("j")), c(4)))}))`))})`;
}

/**
 * C[rows x cols] (+)= Apacked[panels of MR over rows, kc deep] * B[kc x cols]. ap: first A panel
 * (consecutive panels are astride bytes apart), cp: C[0][0], ldc: C row stride in bytes. $block:
 * B packed in panels of NR columns kc*NR floats apart from bp. $block_direct (`direct`): B not packed,
 * its row k read in place at bp + o[k] (o: kc i32 byte offsets), columns consecutive floats from there.
 */
function blockKernel(direct = false) {
  const sfx = direct ? "_direct" : "";
  const o = direct ? ` ${get("o")}` : "";
  return `(func $block${sfx} (param $ap i32) (param $astride i32) (param $bp i32)${direct ? " (param $o i32)" : ""} (param $cp i32) (param $ldc i32)
    (param $rows i32) (param $cols i32) (param $kc i32) (param $accum i32) (param $tmp i32)
  ${loc("mp", "jp", "a", "b", "cr", "r", "w")}
  ;; one B panel (kc x NR, at most 16 KiB) stays in L1 while the A panels of all the rows stream
  ;; past it from L2: half the bytes per tile of the other order, and the B block need not fit in L2
  ${loop("jp", c(0), get("cols"), `
    ${set("b", add(get("bp"), mul(direct ? get("jp") : mul(get("jp"), get("kc")), c(4))))}
    ${set("w", sub(get("cols"), get("jp")))}
    ${loop("mp", c(0), get("rows"), `
      ${set("a", add(get("ap"), mul(div4(get("mp")), get("astride"))))}
      ${set("cr", add(add(get("cp"), mul(get("mp"), get("ldc"))), mul(get("jp"), c(4))))}
      ${set("r", sub(get("rows"), get("mp")))}
      (if (i32.and (i32.ge_s ${get("r")} ${c(MR)}) (i32.ge_s ${get("w")} ${c(NR)}))
        (then (call $tile${sfx} ${get("a")} ${get("b")}${o} ${get("cr")} ${get("kc")} ${get("ldc")} ${get("accum")}))
        (else (call $tile_edge${sfx} ${get("a")} ${get("b")}${o} ${get("cr")} ${get("kc")} ${get("ldc")} ${get("accum")}
                 ${min(get("r"), c(MR))} ${min(get("w"), c(NR))} ${get("tmp")})))`, MR)}`, NR)})`;
}

/**
 * $block_direct for a wide conv whose output is stored straight into the dense planes: C's
 * columns are wide pixels q (rows of Wp, of which the first W are outputs; q0: column 0's), and
 * pixel q's output is at dense index (q / Wp) W + q mod Wp. B is read in place, so a panel may start
 * at any pixel: the panels are laid along each output row (eight columns, then what is left of the
 * row or of the block), so they are NR consecutive dense floats, the garbage columns are never
 * computed, and only a row's last W mod 8 columns take the edge buffer (none for W = 56 or 32).
 * dp: the dense plane of row 0 (rows ldc bytes apart). bias: 0, or the rows' bias (one float a
 * row), added once the sum is complete (the caller passes it with the last reduction block): the
 * same float32 add as after the conv, the same bits. Used where the edge panels waste no more than
 * the garbage columns would (W a multiple of 8: the 56- and 32-wide layers); otherwise the wide
 * output is written whole and `compact` drops its garbage columns (one job, a barrier and a pass
 * more: a 28-wide layer would take a 4-column edge panel per row, 1/7 of its work).
 */
function blockDense() {
  const o = get("o");
  const addBias = (n) => loop("r", c(0), n, `
              ${set("y", add(get("cr"), mul(add(get("mp"), get("r")), get("ldc"))))}
              (local.set $bv (v128.load32_splat ${add(get("bias"), mul(add(get("mp"), get("r")), c(4)))}))
              (if (i32.eq ${get("nw")} ${c(NR)})
                (then
                  (v128.store offset=0 ${get("y")} (f32x4.add (v128.load offset=0 ${get("y")}) (local.get $bv)))
                  (v128.store offset=16 ${get("y")} (f32x4.add (v128.load offset=16 ${get("y")}) (local.get $bv))))
                (else ${loop("j", c(0), get("nw"), `(f32.store ${add(get("y"), mul(get("j"), c(4)))}
                  (f32.add (f32.load ${add(get("y"), mul(get("j"), c(4)))}) (f32x4.extract_lane 0 (local.get $bv))))`)}))`);
  return `(func $block_direct_dense (param $ap i32) (param $astride i32) (param $bp i32) (param $o i32) (param $dp i32) (param $ldc i32)
    (param $rows i32) (param $cols i32) (param $kc i32) (param $accum i32) (param $tmp i32)
    (param $q0 i32) (param $Wp i32) (param $W i32) (param $bias i32)
  ${loc("mp", "a", "cr", "r", "q", "end", "col", "row", "nr", "nw", "j", "y")}
  (local $bv v128)
  ${set("q", get("q0"))} ${set("end", add(get("q0"), get("cols")))}
  ${set("row", `(i32.div_u ${get("q")} ${get("Wp")})`)} ${set("col", `(i32.rem_u ${get("q")} ${get("Wp")})`)}
  (block $done (loop $panel
    (br_if $done (i32.ge_s ${get("q")} ${get("end")}))
    (if (i32.ge_s ${get("col")} ${get("W")})
      (then
        ;; garbage columns: on to the next row
        ${set("q", add(get("q"), sub(get("Wp"), get("col"))))} ${inc("row")} ${set("col", c(0))}
        (br $panel)))
    ${set("nw", min(min(c(NR), sub(get("W"), get("col"))), sub(get("end"), get("q"))))}
    ${set("cr", add(get("dp"), mul(add(mul(get("row"), get("W")), get("col")), c(4))))}
    ${loop("mp", c(0), get("rows"), `
      ${set("a", add(get("ap"), mul(div4(get("mp")), get("astride"))))}
      ${set("nr", min(sub(get("rows"), get("mp")), c(MR)))}
      (if (i32.and (i32.eq ${get("nr")} ${c(MR)}) (i32.eq ${get("nw")} ${c(NR)}))
        (then (call $tile_direct ${get("a")} ${add(get("bp"), mul(sub(get("q"), get("q0")), c(4)))} ${o}
          ${add(get("cr"), mul(get("mp"), get("ldc")))} ${get("kc")} ${get("ldc")} ${get("accum")}))
        (else (call $tile_edge_direct ${get("a")} ${add(get("bp"), mul(sub(get("q"), get("q0")), c(4)))} ${o}
          ${add(get("cr"), mul(get("mp"), get("ldc")))} ${get("kc")} ${get("ldc")} ${get("accum")} ${get("nr")} ${get("nw")} ${get("tmp")})))
      (if ${get("bias")} (then ${addBias(get("nr"))}))`, MR)}
    ${set("q", add(get("q"), get("nw")))} ${set("col", add(get("col"), get("nw")))}
    (br $panel))))`;
}

const commonWat = () => String.raw`
${tileEdge()}

${blockKernel()}

;; Packs rows of a strided matrix into MR-row panels: dst[panel][k][r] = src[(panel*MR + r)*rs + k*cs]
;; (zero for rows >= m). One item = one panel. Params: x = src, y = dst, rows = m, depth = k, rowStride = rs, colStride = cs.
(func $pack_a (export "pack_a") (param $p i32) (param $item i32) (param $s i32)
  ${loc("src", "dst", "m", "kk", "rs", "cs", "r", "k", "row", "rows")}
  ${set("src", P("x"))} ${set("m", K("pack_a", "rows"))} ${set("kk", K("pack_a", "depth"))} ${set("rs", K("pack_a", "rowStride"))} ${set("cs", K("pack_a", "colStride"))}
  ${set("dst", add(P("y"), mul(mul(get("item"), get("kk")), c(MR * 4))))}
  ${set("rows", sub(get("m"), mul(get("item"), c(MR))))}
  (if (i32.and (i32.eq ${get("rs")} ${c(1)}) (i32.ge_s ${get("rows")} ${c(MR)}))
    (then
      ;; the panel's rows are adjacent columns of src (A = W^T): one vector per k
      ${set("row", add(get("src"), mul(mul(get("item"), c(MR)), c(4))))}
      ${loop("k", c(0), get("kk"), `(v128.store ${add(get("dst"), mul(get("k"), c(MR * 4)))}
        (v128.load ${add(get("row"), mul(mul(get("k"), get("cs")), c(4)))}))`)})
    (else (if (i32.and (i32.eq ${get("cs")} ${c(1)}) (i32.ge_s ${get("rows")} ${c(MR)}))
    (then
      ;; four contiguous rows: 4x4 register transposes
      ${set("row", add(get("src"), mul(mul(mul(get("item"), c(MR)), get("rs")), c(4))))}
      ${loopWhole("k", c(0), get("kk"), `
        (call $transpose4 ${add(get("row"), mul(get("k"), c(4)))} ${mul(get("rs"), c(4))} ${add(get("dst"), mul(get("k"), c(MR * 4)))} ${c(MR * 4)})`, 4)}
      ${loop("k", get("k"), get("kk"), loop("r", c(0), c(MR), `(f32.store ${add(get("dst"), mul(add(mul(get("k"), c(MR)), get("r")), c(4)))}
            (f32.load ${add(get("row"), mul(add(mul(get("r"), get("rs")), get("k")), c(4)))}))`))})
    (else
      ${loop("k", c(0), get("kk"), loop("r", c(0), c(MR), `
        ${set("row", add(mul(get("item"), c(MR)), get("r")))}
        (f32.store ${add(get("dst"), mul(add(mul(get("k"), c(MR)), get("r")), c(4)))}
          (if (result f32) (i32.lt_s ${get("row")} ${get("m")})
            (then (f32.load ${add(get("src"), mul(add(mul(get("row"), get("rs")), mul(get("k"), get("cs"))), c(4)))}))
            (else (f32.const 0))))`))})))))

;; A for the input gradient at stride 1 computed as a forward conv: rows are input channels ci of a
;; group, the reduction index is (co, t) with t a flattened tap, and the kernel is flipped:
;; A[ci][co*KK + t] = W[g*Mg + co][ci][KK - 1 - t]. x = W, y = dst, inPerGroup = Cg, outPerGroup = Mg, taps = KK.
;; One item = (group, panel of MR input channels).
(func $pack_a_flip (export "pack_a_flip") (param $p i32) (param $item i32) (param $s i32)
  ${loc("Cg", "Mg", "KK", "K", "panels", "g", "pn", "dst", "co", "t", "r", "ci", "src", "d", "rs")}
  ${set("Cg", K("pack_a_flip", "inPerGroup"))} ${set("Mg", K("pack_a_flip", "outPerGroup"))} ${set("KK", K("pack_a_flip", "taps"))}
  ${set("K", mul(get("Cg"), get("KK")))}
  ${set("panels", div4(roundUp4(get("Cg"))))}
  ${set("g", `(i32.div_u ${get("item")} ${get("panels")})`)}
  ${set("pn", `(i32.rem_u ${get("item")} ${get("panels")})`)}
  ${set("dst", add(P("y"), mul(add(mul(mul(get("g"), roundUp4(get("Cg"))), mul(get("Mg"), get("KK"))),
    mul(mul(get("pn"), c(MR)), mul(get("Mg"), get("KK")))), c(4))))}
  ${set("rs", mul(get("KK"), c(4)))}
  ${loop("co", c(0), get("Mg"), `
    ${set("src", add(P("x"), mul(add(mul(add(mul(get("g"), get("Mg")), get("co")), get("K")), sub(get("KK"), c(1))), c(4))))}
    (if (i32.le_s ${add(mul(get("pn"), c(MR)), c(MR))} ${get("Cg")}) (then
      ;; full panel: four rows KK floats apart, read backwards along the taps
      ${set("src", add(get("src"), mul(mul(mul(get("pn"), c(MR)), get("KK")), c(4))))}
      ${set("d", add(get("dst"), mul(mul(get("co"), get("KK")), c(MR * 4))))}
      ${loop("t", c(0), get("KK"), `
        (f32.store offset=0 ${get("d")} (f32.load ${get("src")}))
        (f32.store offset=4 ${get("d")} (f32.load ${add(get("src"), get("rs"))}))
        (f32.store offset=8 ${get("d")} (f32.load ${add(get("src"), mul(get("rs"), c(2)))}))
        (f32.store offset=12 ${get("d")} (f32.load ${add(get("src"), mul(get("rs"), c(3)))}))
        ${set("src", sub(get("src"), c(4)))}
        ${set("d", add(get("d"), c(MR * 4)))}`)})
    (else
    ${loop("t", c(0), get("KK"), `
      ${set("d", add(get("dst"), mul(mul(add(mul(get("co"), get("KK")), get("t")), c(MR)), c(4))))}
      ${loop("r", c(0), c(MR), `
        ${set("ci", add(mul(get("pn"), c(MR)), get("r")))}
        (f32.store ${add(get("d"), mul(get("r"), c(4)))}
          (if (result f32) (i32.lt_s ${get("ci")} ${get("Cg")})
            (then (f32.load ${sub(add(get("src"), mul(mul(get("ci"), get("KK")), c(4))), mul(get("t"), c(4)))}))
            (else (f32.const 0))))`)}`)}))`)})

;; dst[k][r] = src[r*stride + k] for a 4x4 block (stride in bytes): four rows in, four k-columns out.
(func $transpose4 (param $src i32) (param $stride i32) (param $dst i32) (param $dstride i32)
  (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  (local.set $r0 (v128.load (local.get $src)))
  (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $stride))))
  (local.set $r2 (v128.load (i32.add (local.get $src) (i32.mul (local.get $stride) (i32.const 2)))))
  (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $stride) (i32.const 3)))))
  ;; t0 = r0[0] r1[0] r0[1] r1[1]; t1 = r0[2] r1[2] r0[3] r1[3]; same for r2, r3
  (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
  (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
  (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
  (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
  (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
  (v128.store (i32.add (local.get $dst) (local.get $dstride)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
  (v128.store (i32.add (local.get $dst) (i32.mul (local.get $dstride) (i32.const 2))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
  (v128.store (i32.add (local.get $dst) (i32.mul (local.get $dstride) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

;; B panels of a row-major matrix: dst[panel][k][j] = src[(k0 + k)*ld + n0 + panel*NR + j] for k < kc,
;; j < nc - panel*NR (zero past the last column). Rows of src are ld floats apart.
(func $pack_b_rows (param $src i32) (param $ld i32) (param $dst i32) (param $k0 i32) (param $kc i32) (param $n0 i32) (param $nc i32)
  ${loc("k", "jp", "j", "row", "d", "w")}
  ${loop("k", c(0), get("kc"), `
    ${set("row", add(get("src"), mul(add(mul(add(get("k0"), get("k")), get("ld")), get("n0")), c(4))))}
    ${loop("jp", c(0), get("nc"), `
      ${set("d", add(get("dst"), mul(add(mul(get("jp"), get("kc")), mul(get("k"), c(NR))), c(4))))}
      ${set("w", sub(get("nc"), get("jp")))}
      (if (i32.ge_s ${get("w")} ${c(NR)})
        (then
          (v128.store offset=0 ${get("d")} (v128.load offset=0 ${add(get("row"), mul(get("jp"), c(4)))}))
          (v128.store offset=16 ${get("d")} (v128.load offset=16 ${add(get("row"), mul(get("jp"), c(4)))})))
        (else
          ${loop("j", c(0), c(NR), `(f32.store ${add(get("d"), mul(get("j"), c(4)))}
             (if (result f32) (i32.lt_s ${get("j")} ${get("w")})
               (then (f32.load ${add(get("row"), mul(add(get("jp"), get("j")), c(4)))}))
               (else (f32.const 0))))`)}))`, NR)}`)})

;; im2col of one image and group straight into B panels, over zero-bordered planes (inH x inW,
;; padT = padL = 0: every tap inside): B[k][q] = plane_c[(i dH) inW + j dW + off_q] for k = (c, i, j)
;; and off_q = (q / outW) sH inW + (q % outW) sW. A panel's eight pixel offsets are computed once and
;; serve all its rows; eight pixels in one output row at stride 1 are one contiguous run (two vector
;; copies per row), others are gathered a float at a time. Columns past nc repeat the last pixel
;; (their C columns are never stored). Rows k in [k0, k0+kc), columns = pixels [n0, n0+nc).
(func $pack_b_gather (param $p i32) (param $x i32) (param $dst i32) (param $k0 i32) (param $kc i32) (param $n0 i32) (param $nc i32)
  ${loc("OW", "Wq", "plane", "kH", "kW", "dH", "dW", "ch", "ki", "kj", "t", "jp", "kk", "d", "tap", "q", "last", "rowStep", "planeStep", "run",
    ...PANEL.map((j) => `o${j}`))}
  ${set("OW", P("outW"))} ${set("Wq", P("inW"))} ${set("plane", mul(P("inH"), get("Wq")))}
  ${set("kH", P("kH"))} ${set("kW", P("kW"))} ${set("dH", P("dH"))} ${set("dW", P("dW"))}
  ;; tap pointer steps: next kj, then wrap to the next ki, then to the next channel
  ${set("rowStep", mul(sub(mul(get("dH"), get("Wq")), mul(get("kW"), get("dW"))), c(4)))}
  ${set("planeStep", mul(sub(get("plane"), mul(mul(get("kH"), get("dH")), get("Wq"))), c(4)))}
  ${loop("jp", c(0), get("nc"), `
    ${set("last", sub(add(get("n0"), get("nc")), c(1)))}
    ${PANEL.map((j) => `${set("q", min(add(add(get("n0"), get("jp")), c(j)), get("last")))}
    ${set(`o${j}`, mul(add(mul(mul(`(i32.div_u ${get("q")} ${get("OW")})`, P("sH")), get("Wq")),
      mul(`(i32.rem_u ${get("q")} ${get("OW")})`, P("sW"))), c(4)))}`).join("\n    ")}
    ${tapOfRow(get("k0"))}
    ${set("tap", add(get("x"), mul(add(add(mul(get("ch"), get("plane")), mul(mul(get("ki"), get("dH")), get("Wq"))), mul(get("kj"), get("dW"))), c(4))))}
    ;; the panel of columns jp .. jp + NR - 1
    ${set("d", add(get("dst"), mul(mul(get("jp"), get("kc")), c(4))))}
    ;; one contiguous run: a full panel at stride 1 whose eighth pixel is seven floats after the
    ;; first (each step between neighbours is one float, or more where a row wraps)
    ${set("run", `(i32.and (i32.and (i32.eq ${P("sW")} ${c(1)}) (i32.le_s ${add(get("jp"), c(NR))} ${get("nc")}))
      (i32.eq ${sub(get("o7"), get("o0"))} ${c(28)}))`)}
    ;; Two loops, not one with the test inside: TurboFan computes loop-invariant values that only
    ;; one branch of a loop body uses inside that branch, every iteration (the offsets' 16
    ;; divisions per row of eight floats took 3.7 ns/float on 7x7 planes).
    (if ${get("run")}
      (then ${gatherRows(`
        (v128.store offset=0 ${get("d")} (v128.load offset=0 ${add(get("tap"), get("o0"))}))
        (v128.store offset=16 ${get("d")} (v128.load offset=16 ${add(get("tap"), get("o0"))}))`)})
      (else ${gatherRows(PANEL.map((j) => `(f32.store offset=${4 * j} ${get("d")} (f32.load ${add(get("tap"), get(`o${j}`))}))`).join("\n        "))}))`, NR)})

;; The "wide" layout of a conv: s = stride (1 or more) over zero-bordered phase planes of the
;; input. Phase plane (c, a, b) of a channel holds xpad[r s + a][q s + b], Hq x Wq (Hq = inH / s^2,
;; inW = Wq; inH counts all s^2 phase planes of a channel), so the tap (i, j) of output pixel
;; (oh, ow) is phase ((i dH) % s, (j dW) % s) at (oh + (i dH) / s, ow + (j dW) / s). Output rows
;; are Wq wide ("wide" pixels q = oh Wq + ow, outW = Wq): the last Wq - outW of each row are
;; garbage, dropped later. Then B[k][q] = plane_k[q + offset_k] for k = (c, i, j): every row is
;; one contiguous run, which block_direct reads in place eight floats at a time with no bounds
;; checks (the garbage columns may read up to (kW - 1) dW + 7 floats past the last plane: the
;; caller leaves that slack).

;; The s x s zero-bordered phase planes of one input plane for a wide conv at s = stride > 1:
;; item = plane (image, channel); y[item][a][b][r][q] = x[item][r s + a - padT][q s + b - padL]
;; (zero outside), r < phaseRows = Hq, q < phaseCols = Wq.
(func $pad_phases (export "pad_phases") (param $p i32) (param $item i32) (param $scr i32)
  ${loc("s", "a", "b", "r", "q", "ih", "H", "W", "src", "d", "row", "qlo", "qhi", "Wq", "x0")}
  ${set("s", K("pad_phases", "stride"))} ${set("H", P("inH"))} ${set("W", P("inW"))} ${set("Wq", K("pad_phases", "phaseCols"))}
  ${set("src", add(P("x"), mul(mul(get("item"), mul(get("H"), get("W"))), c(4))))}
  ${set("d", add(P("y"), mul(mul(mul(get("item"), mul(get("s"), get("s"))), mul(K("pad_phases", "phaseRows"), get("Wq"))), c(4))))}
  ${loop("a", c(0), get("s"), loop("b", c(0), get("s"), `
    ;; columns q with 0 <= q s + b - padL < W are [qlo, qhi); x0 = the input column of q = 0
    ${set("x0", sub(get("b"), P("padL")))}
    ${set("qlo", `(select (i32.div_u ${add(sub(c(0), get("x0")), sub(get("s"), c(1)))} ${get("s")}) ${c(0)} (i32.lt_s ${get("x0")} ${c(0)}))`)}
    ${set("qlo", min(get("qlo"), get("Wq")))}
    ${set("qhi", `(select (i32.add (i32.div_u ${sub(sub(get("W"), c(1)), get("x0"))} ${get("s")}) ${c(1)}) ${c(0)} (i32.gt_s ${get("W")} ${get("x0")}))`)}
    ${set("qhi", min(get("qhi"), get("Wq")))}
    ${set("qhi", `(select ${get("qhi")} ${get("qlo")} (i32.gt_s ${get("qhi")} ${get("qlo")}))`)}
    ${loop("r", c(0), K("pad_phases", "phaseRows"), `
      ${set("ih", sub(add(mul(get("r"), get("s")), get("a")), P("padT")))}
      (if (i32.lt_u ${get("ih")} ${get("H")})
        (then
          (call $zero_run ${get("d")} ${get("qlo")})
          ${set("row", add(get("src"), mul(add(mul(get("ih"), get("W")), get("x0")), c(4))))}
          ${set("q", get("qlo"))}
          (if (i32.eq ${get("s")} ${c(2)}) (then
            ;; four outputs from two vectors: the even lanes of x[2q + x0 ..]. The second vector may
            ;; read one float past the plane, which the caller's slack covers.
            ${loopWhole("q", get("qlo"), get("qhi"), `
              (v128.store ${add(get("d"), mul(get("q"), c(4)))}
                (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                  (v128.load offset=0 ${add(get("row"), mul(get("q"), c(8)))})
                  (v128.load offset=16 ${add(get("row"), mul(get("q"), c(8)))})))`, 4)}))
          ${loop("q", get("q"), get("qhi"), `
            (f32.store ${add(get("d"), mul(get("q"), c(4)))} (f32.load ${add(get("row"), mul(mul(get("q"), get("s")), c(4)))}))`)}
          (call $zero_run ${add(get("d"), mul(get("qhi"), c(4)))} ${sub(get("Wq"), get("qhi"))}))
        (else (call $zero_run ${get("d")} ${get("Wq")})))
      ${set("d", add(get("d"), mul(get("Wq"), c(4))))}`)}`))})

;; Zero-bordered copies of input planes: item = planesPerItem consecutive planes (image, channel) of the planes in
;; all (small planes share one call from JS); x = input [planes][inH][inW], y = output
;; [planes][rows][cols] with the input at (padT, padL).
(func $pad_input (export "pad_input") (param $p i32) (param $item i32) (param $s i32)
  ${loc("pl", "end")}
  ${planeRange("pad_input")}
  ${loop("pl", get("pl"), get("end"), `
  (call $pad_plane ${add(P("x"), mul(mul(get("pl"), mul(P("inH"), P("inW"))), c(4)))} ${P("inH")} ${P("inW")} ${P("padT")} ${P("padL")}
    ${add(P("y"), mul(mul(get("pl"), mul(K("pad_input", "rows"), K("pad_input", "cols"))), c(4)))} ${K("pad_input", "rows")} ${K("pad_input", "cols")} ${K("pad_input", "cols")} ${c(0)})`)})

;; Drops the garbage columns of a wide conv's output: item = plane; x = [planes][outH][wideWidth],
;; y = [planes][outH][outW]; then adds bias[plane mod channels] to the plane when bias is not 0
;; (conv2dBias: the plane is still in L1, and the call saves add_bias's job and pass).
(func $compact (export "compact") (param $p i32) (param $item i32) (param $s i32)
  ${loc("oh", "src", "dst")}
  ${set("src", add(P("x"), mul(mul(get("item"), mul(P("outH"), K("compact", "wideWidth"))), c(4))))}
  ${set("dst", add(P("y"), mul(mul(get("item"), mul(P("outH"), P("outW"))), c(4))))}
  ${loop("oh", c(0), P("outH"), `
    (call $copy_run ${add(get("dst"), mul(mul(get("oh"), P("outW")), c(4)))} ${add(get("src"), mul(mul(get("oh"), K("compact", "wideWidth")), c(4)))} ${P("outW")})`)}
  (if ${K("compact", "bias")} (then
    (call $bias_run ${get("dst")} ${mul(P("outH"), P("outW"))}
      (v128.load32_splat ${add(K("compact", "bias"), mul(`(i32.rem_u ${get("item")} ${K("compact", "channels")})`, c(4)))})))))

;; Packs every B block of a forward conv once, for jobs split along output channels: one item =
;; (image, group, pixel block, reduction block of KC rows), laid out as prepackAt says. Same
;; parameters as conv_fwd.
(func $pack_b_conv (export "pack_b_conv") (param $p i32) (param $item i32) (param $s i32)
  ${loc("kb", "kcs", "t", "ig", "nb", "g", "n", "K", "Cg", "N", "n0", "nc", "k0")}
  ${set("Cg", `(i32.div_u ${P("inC")} ${P("groups")})`)}
  ${set("K", mul(mul(get("Cg"), P("kH")), P("kW")))}
  ${set("N", mul(P("outH"), P("outW")))}
  ${set("kcs", `(i32.div_u ${add(get("K"), c(KC - 1))} ${c(KC)})`)}
  ${set("kb", `(i32.rem_u ${get("item")} ${get("kcs")})`)}
  ${set("t", `(i32.div_u ${get("item")} ${get("kcs")})`)}
  ${set("nb", `(i32.rem_u ${get("t")} ${P("nBlocks")})`)}
  ${set("ig", `(i32.div_u ${get("t")} ${P("nBlocks")})`)}
  ${set("g", `(i32.rem_u ${get("ig")} ${P("groups")})`)}
  ${set("n", `(i32.div_u ${get("ig")} ${P("groups")})`)}
  ${pixelRange()}
  ${set("k0", mul(get("kb"), c(KC)))}
  (call $pack_b_gather ${get("p")}
    ${add(P("x"), mul(mul(add(mul(get("n"), P("inC")), mul(get("g"), get("Cg"))), mul(P("inH"), P("inW"))), c(4)))}
    ${prepackAt()}
    ${get("k0")} ${min(c(KC), sub(get("K"), get("k0")))} ${get("n0")} ${get("nc")}))

;; Forward conv, one item = (image, group, block of output pixels, block of output channels). A =
;; weights packed in MR-row panels per group (K = cin/groups*kH*kW deep). block = pixels per item
;; (the first "tail" pixel blocks of a group: tailBlock), nBlocks = pixel blocks per group,
;; rowsPerBlock = output channels per channel block, rowBlocks = channel blocks, prepacked = 0,
;; or the B panels already packed by pack_b_conv (then channel blocks share them).
(func $conv_fwd (export "conv_fwd") (param $p i32) (param $item i32) (param $s i32)
  ${loc("nb", "ig", "g", "n", "N", "K", "Mg", "Cg", "n0", "nc", "k0", "kc", "xg", "yg", "ag", "bbuf", "nBlocks", "mb", "m0", "rows", "dense", "r")}
  ${set("nBlocks", P("nBlocks"))}
  ${set("mb", `(i32.rem_u ${get("item")} ${K("conv_fwd", "rowBlocks")})`)}
  ${set("item", `(i32.div_u ${get("item")} ${K("conv_fwd", "rowBlocks")})`)}
  ${set("nb", `(i32.rem_u ${get("item")} ${get("nBlocks")})`)}
  ${set("ig", `(i32.div_u ${get("item")} ${get("nBlocks")})`)}
  ${set("g", `(i32.rem_u ${get("ig")} ${P("groups")})`)}
  ${set("n", `(i32.div_u ${get("ig")} ${P("groups")})`)}
  ${set("N", mul(P("outH"), P("outW")))}
  ${set("Mg", `(i32.div_u ${P("outC")} ${P("groups")})`)}
  ${set("Cg", `(i32.div_u ${P("inC")} ${P("groups")})`)}
  ${set("K", mul(mul(get("Cg"), P("kH")), P("kW")))}
  ${pixelRange()}
  ${set("xg", add(P("x"), mul(mul(add(mul(get("n"), P("inC")), mul(get("g"), get("Cg"))), mul(P("inH"), P("inW"))), c(4))))}
  ${set("yg", add(P("y"), mul(mul(add(mul(get("n"), P("outC")), mul(get("g"), get("Mg"))), get("N")), c(4))))}
  ${set("ag", add(P("a"), mul(mul(mul(roundUp4(get("Mg")), get("K")), get("g")), c(4))))}
  ;; rows [m0, m0 + rows) of the group's output channels: the first tailM channel blocks are
  ;; tailRows wide, the others rowsPerBlock (both multiples of MR)
  ${narrowFirst(get("mb"), P("tailM"), P("tailRows"), K("conv_fwd", "rowsPerBlock"), get("Mg"), "m0", "rows")}
  ${set("ag", add(get("ag"), mul(mul(get("m0"), get("K")), c(4))))}
  ${set("yg", add(get("yg"), mul(mul(get("m0"), get("N")), c(4))))}
  ${set("bbuf", add(get("s"), c(EDGE_BYTES)))}
  ${loop("k0", c(0), get("K"), `
    ${set("kc", min(c(KC), sub(get("K"), get("k0"))))}
    (if ${K("conv_fwd", "wide")}
      (then (if ${P("denseW")}
        (then
          ;; stored straight into the dense output planes (outH x denseW each), the bias (biasAt,
          ;; or none) added with the last reduction block
          ${set("dense", mul(P("outH"), P("denseW")))}
          (call $block_direct_dense ${add(get("ag"), mul(get("k0"), c(MR * 4)))} ${mul(get("K"), c(MR * 4))}
            ${add(get("xg"), mul(get("n0"), c(4)))} ${add(P("offsets"), mul(get("k0"), c(4)))}
            ${add(P("y"), mul(mul(add(mul(get("n"), P("outC")), add(mul(get("g"), get("Mg")), get("m0"))), get("dense")), c(4)))}
            ${mul(get("dense"), c(4))} ${get("rows")} ${get("nc")} ${get("kc")}
            (i32.gt_s ${get("k0")} ${c(0)}) ${get("s")} ${get("n0")} ${P("outW")} ${P("denseW")}
            (select ${add(P("biasAt"), mul(add(mul(get("g"), get("Mg")), get("m0")), c(4)))} ${c(0)}
              (i32.and (i32.ne ${P("biasAt")} ${c(0)}) (i32.ge_s ${add(get("k0"), get("kc"))} ${get("K")})))))
        (else (call $block_direct ${add(get("ag"), mul(get("k0"), c(MR * 4)))} ${mul(get("K"), c(MR * 4))}
          ${add(get("xg"), mul(get("n0"), c(4)))} ${add(P("offsets"), mul(get("k0"), c(4)))}
          ${add(get("yg"), mul(get("n0"), c(4)))} ${mul(get("N"), c(4))} ${get("rows")} ${get("nc")} ${get("kc")}
          (i32.gt_s ${get("k0")} ${c(0)}) ${get("s")}))))
      (else
        (if ${K("conv_fwd", "prepacked")}
          (then ${set("bbuf", prepackAt())})
          (else (call $pack_b_gather ${get("p")} ${get("xg")} ${get("bbuf")} ${get("k0")} ${get("kc")} ${get("n0")} ${get("nc")})))
        (call $block ${add(get("ag"), mul(get("k0"), c(MR * 4)))} ${mul(get("K"), c(MR * 4))} ${get("bbuf")}
          ${add(get("yg"), mul(get("n0"), c(4)))} ${mul(get("N"), c(4))} ${get("rows")} ${get("nc")} ${get("kc")}
          (i32.gt_s ${get("k0")} ${c(0)}) ${get("s")})))`, KC)}
  ;; The bias (biasAt, or none) of an output the GEMM stores in place (not the dense store, which
  ;; adds it itself): each item adds it to its own rows and pixels once their sums are complete,
  ;; while they are in cache (no add_bias job, barrier and pass over the output). The same float32
  ;; add after the whole sum as add_bias: the same bits.
  (if (i32.and (i32.ne ${P("biasAt")} ${c(0)}) (i32.eqz ${P("denseW")})) (then
    ${loop("r", c(0), get("rows"), `
      (call $bias_run ${add(get("yg"), mul(add(mul(get("r"), get("N")), get("n0")), c(4)))} ${get("nc")}
        (v128.load32_splat ${add(P("biasAt"), mul(add(add(mul(get("g"), get("Mg")), get("m0")), get("r")), c(4)))}))`)})))

;; Input gradient as GEMM + col2im, one item = (image, group, chunk of input channels, band of
;; bandRows output rows): cols = W^T gy over the chunk's rows (c, i, j), then each col entry is
;; added to the input pixel it came from. dx (y) must be zeroed. A = W^T packed per (group, chunk)
;; of chunkChannels channels (chunks of them). A job runs the bands of one parity (bandsPerParity
;; of them): bands two apart never add into the same dx row when bandRows s >= (kH - 1) dH, so items
;; of one job never collide.
;; Scratch: edge | B block (KC x block) | cols (rows x block).
(func $conv_bwd_in (export "conv_bwd_in") (param $p i32) (param $item i32) (param $s i32)
  ${loc("ch", "t", "g", "n", "N", "K", "Mg", "Cg", "KK", "c0", "c1", "R", "p0", "p1", "n0", "nc", "k0", "kc",
    "gyg", "dxg", "ag", "bbuf", "cbuf", "r", "col", "oh", "ow", "ih", "iw", "ki", "kj", "cc", "dxc", "H", "W", "OW", "src", "dp", "sW",
    "band", "tj", "src1")}
  (local $cv v128) (local $cv1 v128)
  ${set("sW", P("sW"))}
  ;; band 2 (item % bandsPerParity) + parity of bandRows output rows: pixels [p0, p1)
  ${set("band", add(mul(`(i32.rem_u ${get("item")} ${K("conv_bwd_in", "bandsPerParity")})`, c(2)), K("conv_bwd_in", "parity")))}
  ${set("item", `(i32.div_u ${get("item")} ${K("conv_bwd_in", "bandsPerParity")})`)}
  ${set("ch", `(i32.rem_u ${get("item")} ${K("conv_bwd_in", "chunks")})`)}
  ${set("t", `(i32.div_u ${get("item")} ${K("conv_bwd_in", "chunks")})`)}
  ${set("g", `(i32.rem_u ${get("t")} ${P("groups")})`)}
  ${set("n", `(i32.div_u ${get("t")} ${P("groups")})`)}
  ${set("H", P("inH"))} ${set("W", P("inW"))} ${set("OW", P("outW"))}
  ${set("N", mul(P("outH"), get("OW")))}
  ${set("Mg", `(i32.div_u ${P("outC")} ${P("groups")})`)}
  ${set("Cg", `(i32.div_u ${P("inC")} ${P("groups")})`)}
  ${set("KK", mul(P("kH"), P("kW")))}
  ${set("K", mul(get("Cg"), get("KK")))}
  ${set("c0", mul(get("ch"), K("conv_bwd_in", "chunkChannels")))}
  ${set("c1", min(add(get("c0"), K("conv_bwd_in", "chunkChannels")), get("Cg")))}
  ${set("R", mul(sub(get("c1"), get("c0")), get("KK")))}
  ${set("gyg", add(P("x"), mul(mul(add(mul(get("n"), P("outC")), mul(get("g"), get("Mg"))), get("N")), c(4))))}
  ${set("dxg", add(P("y"), mul(mul(add(mul(get("n"), P("inC")), add(mul(get("g"), get("Cg")), get("c0"))), mul(get("H"), get("W"))), c(4))))}
  ${set("ag", add(P("a"), mul(mul(mul(roundUp4(mul(K("conv_bwd_in", "chunkChannels"), get("KK"))), get("Mg")),
    add(mul(get("g"), K("conv_bwd_in", "chunks")), get("ch"))), c(4))))}
  ${set("bbuf", add(get("s"), c(EDGE_BYTES)))}
  ${set("cbuf", add(get("bbuf"), mul(mul(P("block"), c(KC)), c(4))))}
  ${set("p0", mul(mul(get("band"), K("conv_bwd_in", "bandRows")), get("OW")))}
  ${set("p1", min(add(get("p0"), mul(K("conv_bwd_in", "bandRows"), get("OW"))), get("N")))}
  ${loop("n0", get("p0"), get("p1"), `
    ${set("nc", min(P("block"), sub(get("p1"), get("n0"))))}
    ${loop("k0", c(0), get("Mg"), `
      ${set("kc", min(c(KC), sub(get("Mg"), get("k0"))))}
      (call $pack_b_rows ${get("gyg")} ${get("N")} ${get("bbuf")} ${get("k0")} ${get("kc")} ${get("n0")} ${get("nc")})
      (call $block ${add(get("ag"), mul(get("k0"), c(MR * 4)))} ${mul(get("Mg"), c(MR * 4))} ${get("bbuf")}
        ${get("cbuf")} ${mul(P("block"), c(4))} ${get("R")} ${get("nc")} ${get("kc")}
        (i32.gt_s ${get("k0")} ${c(0)}) ${get("s")})`, KC)}
    ${loop("r", c(0), get("R"), `
      ${set("cc", `(i32.div_u ${get("r")} ${get("KK")})`)}
      ${set("t", `(i32.rem_u ${get("r")} ${get("KK")})`)}
      ${set("ki", sub(mul(`(i32.div_u ${get("t")} ${P("kW")})`, P("dH")), P("padT")))}
      ${set("tj", `(i32.rem_u ${get("t")} ${P("kW")})`)}
      ${set("kj", sub(mul(get("tj"), P("dW")), P("padL")))}
      ${set("dxc", add(get("dxg"), mul(mul(mul(get("cc"), get("H")), get("W")), c(4))))}
      ${set("src", add(get("cbuf"), mul(mul(get("r"), P("block")), c(4))))}
      ${set("oh", `(i32.div_u ${get("n0")} ${get("OW")})`)}
      ${set("ow", `(i32.rem_u ${get("n0")} ${get("OW")})`)}
      ;; stride 2, dilation 1: taps (i, j) and (i, j + 1) land on the even and odd columns of the
      ;; same eight dx floats, so they are added together, interleaved (no dx element gets a term
      ;; from both: the order of its terms is unchanged)
      (if (i32.and (i32.and (i32.eq ${get("sW")} ${c(2)}) (i32.eq ${P("dW")} ${c(1)}))
            (i32.lt_s ${add(get("tj"), c(1))} ${P("kW")}))
        (then
          ${set("src1", add(get("src"), mul(P("block"), c(4))))}
          ${loop("col", c(0), get("nc"), `
            ${set("ih", add(mul(get("oh"), P("sH")), get("ki")))}
            ${set("iw", add(mul(get("ow"), c(2)), get("kj")))}
            ${set("dp", add(get("dxc"), mul(add(mul(get("ih"), get("W")), get("iw")), c(4))))}
            (if (i32.and (i32.and (i32.le_s ${add(get("col"), c(4))} ${get("nc")}) (i32.le_s ${add(get("ow"), c(4))} ${get("OW")}))
                  (i32.and (i32.lt_u ${get("ih")} ${get("H")})
                    (i32.and (i32.ge_s ${get("iw")} ${c(0)}) (i32.le_s ${add(get("iw"), c(8))} ${get("W")}))))
              (then
                (local.set $cv (v128.load ${add(get("src"), mul(get("col"), c(4)))}))
                (local.set $cv1 (v128.load ${add(get("src1"), mul(get("col"), c(4)))}))
                (v128.store offset=0 ${get("dp")} (f32x4.add (v128.load offset=0 ${get("dp")})
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cv) (local.get $cv1))))
                (v128.store offset=16 ${get("dp")} (f32x4.add (v128.load offset=16 ${get("dp")})
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cv) (local.get $cv1))))
                ${set("col", add(get("col"), c(3)))}
                ${set("ow", add(get("ow"), c(3)))})
              (else
                (if (i32.lt_u ${get("ih")} ${get("H")}) (then
                  (if (i32.lt_u ${get("iw")} ${get("W")}) (then (f32.store ${get("dp")}
                    (f32.add (f32.load ${get("dp")}) (f32.load ${add(get("src"), mul(get("col"), c(4)))})))))
                  (if (i32.lt_u ${add(get("iw"), c(1))} ${get("W")}) (then (f32.store offset=4 ${get("dp")}
                    (f32.add (f32.load offset=4 ${get("dp")}) (f32.load ${add(get("src1"), mul(get("col"), c(4)))})))))))))
            ${inc("ow")}
            (if (i32.eq ${get("ow")} ${get("OW")}) (then ${set("ow", c(0))} ${inc("oh")}))`)}
          ${inc("r")})
        (else
      ${loop("col", c(0), get("nc"), `
          ${set("ih", add(mul(get("oh"), P("sH")), get("ki")))}
          ${set("iw", add(mul(get("ow"), get("sW")), get("kj")))}
          ${set("dp", add(get("dxc"), mul(add(mul(get("ih"), get("W")), get("iw")), c(4))))}
          ;; four outputs of one row whose taps land inside the image: stride 1 adds one vector, stride 2
          ;; adds the four values into the even lanes of two (the odd lanes get + 0)
          (if (i32.and (i32.and (i32.le_s ${add(get("col"), c(4))} ${get("nc")}) (i32.le_s ${add(get("ow"), c(4))} ${get("OW")}))
                (i32.and (i32.lt_u ${get("ih")} ${get("H")})
                  (i32.and (i32.ge_s ${get("iw")} ${c(0)}) (i32.le_s ${add(get("iw"), mul(get("sW"), c(4)))} ${get("W")}))))
            (then
              (local.set $cv (v128.load ${add(get("src"), mul(get("col"), c(4)))}))
              (if (i32.eq ${get("sW")} ${c(1)})
                (then (v128.store ${get("dp")} (f32x4.add (v128.load ${get("dp")}) (local.get $cv))))
                (else (if (i32.eq ${get("sW")} ${c(2)})
                  (then
                    (v128.store offset=0 ${get("dp")} (f32x4.add (v128.load offset=0 ${get("dp")})
                      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cv) (v128.const i32x4 0 0 0 0))))
                    (v128.store offset=16 ${get("dp")} (f32x4.add (v128.load offset=16 ${get("dp")})
                      (i8x16.shuffle 8 9 10 11 16 17 18 19 12 13 14 15 20 21 22 23 (local.get $cv) (v128.const i32x4 0 0 0 0)))))
                  (else
                    ${[0, 1, 2, 3].map((l) => `(f32.store ${add(get("dp"), mul(mul(get("sW"), c(4 * l)), c(1)))}
                      (f32.add (f32.load ${add(get("dp"), mul(get("sW"), c(4 * l)))}) (f32x4.extract_lane ${l} (local.get $cv))))`).join("\n                  ")}))))
              ${set("col", add(get("col"), c(3)))}
              ${set("ow", add(get("ow"), c(3)))})
            (else
              (if (i32.and (i32.lt_u ${get("ih")} ${get("H")}) (i32.lt_u ${get("iw")} ${get("W")}))
                (then (f32.store ${get("dp")}
                  (f32.add (f32.load ${get("dp")}) (f32.load ${add(get("src"), mul(get("col"), c(4)))})))))))
          ${inc("ow")}
          (if (i32.eq ${get("ow")} ${get("OW")}) (then ${set("ow", c(0))} ${inc("oh")}))`)}))`)}`, P("block"))})

${packBWgrad()}

${packBWgradWide()}

;; Weight gradient, one item = (group, block of columns of dW viewed as [outC, K]; the first "tail"
;; blocks are tailBlock wide, the others block): for every image
;; and every KC pixels, B = im2col(x)^T restricted to the block's columns, A = gy packed per (image,
;; group) in MR-row panels over all N pixels. The first block of the first image stores into dW (y),
;; the others accumulate.
(func $conv_bwd_w (export "conv_bwd_w") (param $p i32) (param $item i32) (param $s i32)
  ${loc("jb", "g", "n", "N", "K", "Mg", "Cg", "KK", "j0", "ncol", "p0", "kc", "xg", "ag", "bbuf", "jp", "H", "W", "OW", "MP")}
  ${set("jb", `(i32.rem_u ${get("item")} ${P("nBlocks")})`)}
  ${set("g", `(i32.div_u ${get("item")} ${P("nBlocks")})`)}
  ${set("H", P("inH"))} ${set("W", P("inW"))} ${set("OW", P("outW"))}
  ${set("N", mul(P("outH"), get("OW")))}
  ${set("Mg", `(i32.div_u ${P("outC")} ${P("groups")})`)}
  ${set("MP", roundUp4(get("Mg")))}
  ${set("Cg", `(i32.div_u ${P("inC")} ${P("groups")})`)}
  ${set("KK", mul(P("kH"), P("kW")))}
  ${set("K", mul(get("Cg"), get("KK")))}
  ${narrowFirst(get("jb"), P("tail"), P("tailBlock"), P("block"), get("K"), "j0", "ncol")}
  ${set("bbuf", add(get("s"), c(EDGE_BYTES)))}
  ${loop("n", c(0), P("batch"), `
    ${set("xg", add(P("x"), mul(mul(add(mul(get("n"), P("inC")), mul(get("g"), get("Cg"))), mul(get("H"), get("W"))), c(4))))}
    ${set("ag", add(P("a"), mul(mul(mul(get("MP"), get("N")), add(mul(get("n"), P("groups")), get("g"))), c(4))))}
    ${loop("p0", c(0), get("N"), `
      ${set("kc", min(c(KC), sub(get("N"), get("p0"))))}
      ${loop("jp", c(0), get("ncol"), `
        (if ${K("conv_bwd_w", "wide")}
          (then (call $pack_b_wgrad_wide ${get("p")} ${get("xg")} ${add(get("bbuf"), mul(mul(get("jp"), get("kc")), c(4)))}
            ${get("p0")} ${get("kc")} ${add(get("j0"), get("jp"))} ${sub(get("ncol"), get("jp"))}))
          (else (call $pack_b_wgrad ${get("p")} ${get("xg")} ${add(get("bbuf"), mul(mul(get("jp"), get("kc")), c(4)))}
            ${get("p0")} ${get("kc")} ${add(get("j0"), get("jp"))} ${sub(get("ncol"), get("jp"))})))`, NR)}
      (call $block ${add(get("ag"), mul(get("p0"), c(MR * 4)))} ${mul(get("N"), c(MR * 4))} ${get("bbuf")}
        ${add(P("y"), mul(add(mul(mul(get("g"), get("Mg")), get("K")), get("j0")), c(4)))} ${mul(get("K"), c(4))}
        ${get("Mg")} ${get("ncol")} ${get("kc")} (i32.or ${get("n")} ${get("p0")}) ${get("s")})`, KC)}`)})

;; Batched matmul C[b] = A[b] B[b], one item = (batch, block of columns, block of rows). A packed
;; per batch in MR-row panels (m, k, n; rowsPerBlock = rows per row block, a multiple of MR;
;; rowBlocks = row blocks); x = B, y = C.
(func $matmul (export "matmul") (param $p i32) (param $item i32) (param $s i32)
  ${loc("nb", "b", "m", "k", "n", "n0", "nc", "k0", "kc", "bsrc", "cdst", "ag", "bbuf", "mb", "rows")}
  ${set("m", K("matmul", "m"))} ${set("k", K("matmul", "k"))} ${set("n", K("matmul", "n"))}
  ${set("mb", `(i32.rem_u ${get("item")} ${K("matmul", "rowBlocks")})`)}
  ${set("item", `(i32.div_u ${get("item")} ${K("matmul", "rowBlocks")})`)}
  ${set("nb", `(i32.rem_u ${get("item")} ${P("nBlocks")})`)}
  ${set("b", `(i32.div_u ${get("item")} ${P("nBlocks")})`)}
  ${set("n0", mul(get("nb"), P("block")))}
  ${set("nc", min(P("block"), sub(get("n"), get("n0"))))}
  ${set("bsrc", add(P("x"), mul(mul(mul(get("b"), get("k")), get("n")), c(4))))}
  ${set("cdst", add(P("y"), mul(add(mul(mul(get("b"), get("m")), get("n")), get("n0")), c(4))))}
  ${set("ag", add(P("a"), mul(mul(mul(get("b"), roundUp4(get("m"))), get("k")), c(4))))}
  ${set("rows", min(K("matmul", "rowsPerBlock"), sub(get("m"), mul(get("mb"), K("matmul", "rowsPerBlock")))))}
  ${set("ag", add(get("ag"), mul(mul(mul(get("mb"), K("matmul", "rowsPerBlock")), get("k")), c(4))))}
  ${set("cdst", add(get("cdst"), mul(mul(mul(get("mb"), K("matmul", "rowsPerBlock")), get("n")), c(4))))}
  ${set("bbuf", add(get("s"), c(EDGE_BYTES)))}
  ${loop("k0", c(0), get("k"), `
    ${set("kc", min(c(KC), sub(get("k"), get("k0"))))}
    (call $pack_b_rows ${get("bsrc")} ${get("n")} ${get("bbuf")} ${get("k0")} ${get("kc")} ${get("n0")} ${get("nc")})
    (call $block ${add(get("ag"), mul(get("k0"), c(MR * 4)))} ${mul(get("k"), c(MR * 4))} ${get("bbuf")}
      ${get("cdst")} ${mul(get("n"), c(4))} ${get("rows")} ${get("nc")} ${get("kc")}
      (i32.gt_s ${get("k0")} ${c(0)}) ${get("s")})`, KC)})

;; Max pooling's argmax, one item = planesPerItem consecutive (image, channel) planes of the planes in all (a call
;; from JS per 10 x 10 plane cost more than its windows): for every window the flat index
;; into x of its maximum, with PyTorch's CPU rules (see reference/pool2d.ts): in-range taps in
;; row-major order from the first, a later tap wins when strictly greater or NaN; -1 for a window
;; with no tap inside. The in-range taps come from tables at a (windowTaps: rowStart, rowLo, rowHi
;; over outH, then colStart, colLo, colHi over outW); y = the i32 argmax, and maxima = the maxima
;; (-inf for an empty window) at the same offsets, so that the forward needs no gather. The comparison selects
;; instead of branching: on random data the branch would mispredict every other tap. mode 1: the
;; windows are 2x2 at stride 2 without padding (MaxPool2d(2)), four of them per vector step; mode 2:
;; three columns wide at stride 2 (ResNet's stem, 3x3 stride 2 padding 1), four whole-width windows a
;; step (pool3WideRow).
(func $pool_argmax (export "pool_argmax") (param $p i32) (param $item i32) (param $s i32)
  ${loc("OH", "OW", "W", "base", "oh", "ow", "kiLo", "kiHi", "kjLo", "kjHi", "rowBase", "at", "i", "r", "ki", "kj", "o", "dh", "dw",
    "rs", "rl", "rh", "cs", "cl", "ch", "win", "wins", "vals", "pl", "end", "owA", "owB", "c0")}
  (local $best f32) (local $v f32) (local $bv v128) (local $cv v128) (local $mv v128) (local $iv v128)
  (local $l0 v128) (local $l1 v128) (local $m0 v128) (local $m1 v128)
  ${set("vals", sub(K("pool_argmax", "maxima"), P("y")))}
  ${set("OH", P("outH"))} ${set("OW", P("outW"))} ${set("W", P("inW"))}
  ${set("dh", mul(P("dH"), get("W")))} ${set("dw", P("dW"))}
  ${set("rs", P("a"))} ${set("rl", add(get("rs"), mul(get("OH"), c(4))))} ${set("rh", add(get("rl"), mul(get("OH"), c(4))))}
  ${set("cs", add(get("rh"), mul(get("OH"), c(4))))} ${set("cl", add(get("cs"), mul(get("OW"), c(4))))} ${set("ch", add(get("cl"), mul(get("OW"), c(4))))}
  ${planeRange("pool_argmax")}
  ${pool3WideColumns()}
  ${loop("pl", get("pl"), get("end"), `
  ${set("base", mul(get("pl"), mul(P("inH"), get("W"))))}
  ${loop("oh", c(0), get("OH"), `
    ${set("rowBase", add(get("base"), mul(`(i32.load ${add(get("rs"), mul(get("oh"), c(4)))})`, get("W"))))}
    ${set("kiLo", `(i32.load ${add(get("rl"), mul(get("oh"), c(4)))})`)}
    ${set("kiHi", `(i32.load ${add(get("rh"), mul(get("oh"), c(4)))})`)}
    ${set("o", add(P("y"), mul(mul(add(mul(get("pl"), get("OH")), get("oh")), get("OW")), c(4))))}
    ${set("ow", c(0))}
    (if (i32.eq ${K("pool_argmax", "mode")} ${c(2)}) (then ${pool3WideRow()}))
    (if (i32.eq ${K("pool_argmax", "mode")} ${c(1)}) (then
      ;; 2x2 windows at stride 2, no padding (mode 1): four a step, from two rows of eight floats
      ${loopWhole("ow", c(0), get("OW"), `${pool2x2Step()}
        ${inc("o", 16)}`, 4)}
      ;; a row's last OW mod 4 windows: one more step over its last four (the overlap is written
      ;; twice with the same values), instead of a scalar window each (a 5-wide row spent most of its
      ;; time on its fifth window)
      (if (i32.and (i32.lt_s ${get("ow")} ${get("OW")}) (i32.ge_s ${get("OW")} ${c(4)})) (then
        ${set("o", add(get("o"), mul(sub(sub(get("OW"), c(4)), get("ow")), c(4))))}
        ${set("ow", sub(get("OW"), c(4)))}
        ${pool2x2Step()}
        ${set("ow", get("OW"))}))))
    ${loop("ow", get("ow"), get("OW"), poolWindow())}`)}`)})

;; Max pooling's gradient for windows that share no cell (stride >= the window's extent), item =
;; planesPerItem consecutive planes of the planes in all: the items' dx planes (y) zeroed in one fill, then
;; dx[argmax] += gy (x) for their windows (a: the argmax, flat indices into dx; -1 for a window
;; with no cell, which sends nothing). Each cell gets at most one term, so the float32 sum is exact;
;; a window's argmax lies in its own plane, so items never write the same cells.
(func $pool_scatter (export "pool_scatter") (param $p i32) (param $item i32) (param $s i32)
  ${loc("pl", "end", "plane", "outPlane", "i", "t")}
  ${set("plane", mul(P("inH"), P("inW")))}
  ${set("outPlane", mul(P("outH"), P("outW")))}
  ${planeRange("pool_scatter")}
  (memory.fill ${add(P("y"), mul(mul(get("pl"), get("plane")), c(4)))} (i32.const 0)
    ${mul(mul(sub(get("end"), get("pl")), get("plane")), c(4))})
  ${loop("i", mul(get("pl"), get("outPlane")), mul(get("end"), get("outPlane")), `
    ${set("t", `(i32.load ${add(P("a"), mul(get("i"), c(4)))})`)}
    (if (i32.ge_s ${get("t")} ${c(0)}) (then
      (f32.store ${add(P("y"), mul(get("t"), c(4)))}
        (f32.add (f32.load ${add(P("y"), mul(get("t"), c(4)))}) (f32.load ${add(P("x"), mul(get("i"), c(4)))})))))`)})

${transposeKernel()}

${interpolateKernels()}

;; Zeroes count floats at y (a region the kernels then add into), 65536 floats per item: one
;; memory.fill each, where TypedArray.fill over shared memory runs a float at a time.
(func $zero (export "zero") (param $p i32) (param $item i32) (param $s i32)
  (memory.fill ${add(P("y"), mul(get("item"), c(65536 * 4)))} (i32.const 0)
    ${mul(min(c(65536), sub(K("zero", "count"), mul(get("item"), c(65536)))), c(4))}))

;; Sets the i32 at y to 1 when one of the count floats at x is an infinity or a NaN (v * 0 is 0 for
;; every finite v, NaN otherwise). One item = 65536 floats.
(func $find_nonfinite (export "find_nonfinite") (param $p i32) (param $item i32) (param $s i32)
  ${loc("i", "n", "src")}
  (local $a0 v128) (local $a1 v128) (local $z f32)
  ${set("n", min(c(65536), sub(K("find_nonfinite", "count"), mul(get("item"), c(65536)))))}
  ${set("src", add(P("x"), mul(get("item"), c(65536 * 4))))}
  ${loopWhole("i", c(0), get("n"), `
    (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load offset=0 ${add(get("src"), mul(get("i"), c(4)))}) (v128.const f32x4 0 0 0 0))))
    (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 ${add(get("src"), mul(get("i"), c(4)))}) (v128.const f32x4 0 0 0 0))))`, 8)}
  ${loop("i", get("i"), get("n"), `(local.set $z (f32.add (local.get $z) (f32.mul (f32.load ${add(get("src"), mul(get("i"), c(4)))}) (f32.const 0))))`)}
  (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.splat (local.get $z))))
  (if (i32.eqz (i32x4.all_true (f32x4.eq (local.get $a0) (local.get $a0)))) (then (i32.store ${P("y")} ${c(1)}))))

;; n floats: dst = src (copy) or dst = 0 (zero), by vectors and then one float at a time, never
;; past dst + n (neighbouring planes may belong to other threads). For the short rows of a plane
;; this beats memory.copy / memory.fill, which V8 runs as calls out of the compiled code.
(func $copy_run (param $dst i32) (param $src i32) (param $n i32)
  ${loc("k")}
  ${loopWhole("k", c(0), get("n"), `
    (v128.store ${add(get("dst"), mul(get("k"), c(4)))} (v128.load ${add(get("src"), mul(get("k"), c(4)))}))`, 4)}
  ${loop("k", get("k"), get("n"), `(f32.store ${add(get("dst"), mul(get("k"), c(4)))} (f32.load ${add(get("src"), mul(get("k"), c(4)))}))`)})
(func $zero_run (param $dst i32) (param $n i32)
  ${loc("k")}
  ${loopWhole("k", c(0), get("n"), `
    (v128.store ${add(get("dst"), mul(get("k"), c(4)))} (v128.const i32x4 0 0 0 0))`, 4)}
  ${loop("k", get("k"), get("n"), `(f32.store ${add(get("dst"), mul(get("k"), c(4)))} (f32.const 0))`)})

;; Copies one input plane into a zero-bordered buffer: buf[r][q] = x[r - padT][q - padL] (zero
;; outside), r < hp, q < ws (ws >= wp: columns past wp are zero too), row stride ws floats.
;; The plane is zeroed whole, then its rows copied in: one call per row instead of three (the zero
;; runs on either side of a row's copy), which on small planes cost more than the floats. With
;; $inside set only the copies run: the zeros of an earlier call with the same geometry are in place.
(func $pad_plane (param $x i32) (param $H i32) (param $W i32) (param $padT i32) (param $padL i32)
    (param $buf i32) (param $hp i32) (param $wp i32) (param $ws i32) (param $inside i32)
  ${loc("r", "ih", "lo", "hi")}
  ;; valid columns q in [lo, hi): 0 <= q - padL < W
  ${set("lo", `(select ${c(0)} ${get("padL")} (i32.lt_s ${get("padL")} ${c(0)}))`)}
  ${set("lo", min(get("lo"), get("wp")))}
  ${set("hi", min(add(get("padL"), get("W")), get("wp")))}
  ${set("hi", `(select ${get("hi")} ${get("lo")} (i32.gt_s ${get("hi")} ${get("lo")}))`)}
  (if (i32.eqz ${get("inside")}) (then (call $zero_run ${get("buf")} ${mul(get("hp"), get("ws"))})))
  ${loop("r", c(0), get("hp"), `
    ${set("ih", sub(get("r"), get("padT")))}
    (if (i32.lt_u ${get("ih")} ${get("H")})
      (then
        (call $copy_run ${add(get("buf"), mul(add(mul(get("r"), get("ws")), get("lo")), c(4)))}
          ${add(get("x"), mul(add(mul(get("ih"), get("W")), sub(get("lo"), get("padL"))), c(4)))} ${sub(get("hi"), get("lo"))})))`)})

${["write", "bias", "acc"].map(dw3x3Plane).join("\n\n")}

${dwWgrad(3, 3)}

${WGRAD_ROW_WIDTHS.map((w) => dwWgrad(1, w)).join("\n\n")}

;; Depthwise-style conv where every output plane is a sum of S single-plane correlations:
;; out[n][o] = sum_s corr(x[n][(o / outputsPerStep) * sourceStep + s], w[o*S + s]) with S = sources.
;; Forward conv with channel multiplier m: S = 1, outputsPerStep = m, sourceStep = 1. Input gradient
;; at stride 1 (flipped kernels, transposed padding): S = m, outputsPerStep = 1, sourceStep = m. One
;; item = (image, planesPerItem consecutive output planes): in forward mode a multiple of m (each m
;; consecutive planes share one input plane; see planeConv in fast/conv.ts), else 1.
;; Scratch: edge | padded plane (rows hp, stride ws = wp + 16) + 16 | one output row rounded up to 16.
(func $dw_conv (export "dw_conv") (param $p i32) (param $item i32) (param $s i32)
  ${loc("o", "n", "S", "src", "ci", "wp0", "buf", "hp", "wpd", "ws", "OH", "OW", "kH", "kW", "dH", "dW", "sH", "sW",
    "outp", "oh", "ow", "ki", "kj", "row", "orow", "xin", "rt", "R", "r", "o0", "outp0", "lastci", "fast3", "bordered")}
  (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $wv v128) (local $sum f32)
  ${set("OH", P("outH"))} ${set("OW", P("outW"))} ${set("kH", P("kH"))} ${set("kW", P("kW"))}
  ${set("dH", P("dH"))} ${set("dW", P("dW"))} ${set("sH", P("sH"))} ${set("sW", P("sW"))}
  ${set("S", K("dw_conv", "sources"))}
  ${set("R", K("dw_conv", "planesPerItem"))}
  ${set("o0", mul(`(i32.rem_u ${get("item")} (i32.div_u ${P("outC")} ${get("R")}))`, get("R")))}
  ${set("n", `(i32.div_u ${get("item")} (i32.div_u ${P("outC")} ${get("R")}))`)}
  ${set("outp0", add(P("y"), mul(mul(add(mul(get("n"), P("outC")), get("o0")), mul(get("OH"), get("OW"))), c(4))))}
  ;; 3x3, stride 1, dilation 1 (depthwise and 1-channel convs, their stride-1 input gradients): the
  ;; two-row kernel, which writes the planes when each has one source (S = 1); otherwise the sources
  ;; are added into zeroed planes
  ${set("fast3", isUnit3x3())}
  (if (i32.or (i32.eqz ${get("fast3")}) (i32.gt_s ${get("S")} ${c(1)})) (then
    (memory.fill ${get("outp0")} (i32.const 0) ${mul(mul(mul(get("OH"), get("OW")), get("R")), c(4))})))
  ${set("hp", add(add(mul(sub(get("OH"), c(1)), get("sH")), mul(sub(get("kH"), c(1)), get("dH"))), c(1)))}
  ${set("wpd", add(add(mul(sub(get("OW"), c(1)), get("sW")), mul(sub(get("kW"), c(1)), get("dW"))), c(1)))}
  ${set("ws", add(get("wpd"), c(16)))}
  ${set("buf", add(get("s"), c(EDGE_BYTES)))}
  ${set("rt", add(get("buf"), mul(add(mul(get("hp"), get("ws")), c(16)), c(4))))}
  ${loop("src", c(0), get("S"), `
   ${set("lastci", c(-1))}
   ${loop("r", c(0), get("R"), `
    ${set("o", add(get("o0"), get("r")))}
    ${set("outp", add(get("outp0"), mul(mul(get("r"), mul(get("OH"), get("OW"))), c(4))))}
    ${set("ci", add(mul(`(i32.div_u ${get("o")} ${K("dw_conv", "outputsPerStep")})`, K("dw_conv", "sourceStep")), get("src")))}
    ${set("wp0", add(P("a"), mul(mul(add(mul(get("o"), get("S")), get("src")), mul(get("kH"), get("kW"))), c(4))))}
    ${set("xin", add(P("x"), mul(mul(add(mul(get("n"), P("inC")), get("ci")), mul(P("inH"), P("inW"))), c(4))))}
    ;; consecutive outputs of one item reading the same input plane (forward mode, multiplier m) pad
    ;; it once; every plane an item pads has the same geometry, so the zero border written with the
    ;; first stays in place and later ones copy their rows only (on 28x28 planes re-zeroing took a
    ;; quarter of the input gradient's time, and a third of the depthwise forward's at a plane per item)
    (if (i32.ne ${get("ci")} ${get("lastci")}) (then
      (call $pad_plane ${get("xin")} ${P("inH")} ${P("inW")} ${P("padT")} ${P("padL")} ${get("buf")} ${get("hp")} ${get("wpd")} ${get("ws")}
        ${get("bordered")})
      ${set("bordered", c(1))}
      ${set("lastci", get("ci"))}))
    ;; conv2dBias's bias (biasAt, forward mode only) is added by the 3x3 kernel as it stores,
    ;; by an add_bias job after the general one (see planeConv in fast/conv.ts)
    (if ${get("fast3")} (then
      (if (i32.gt_s ${get("S")} ${c(1)})
        (then (call $dw3x3_plane_acc ${get("buf")} ${get("ws")} ${get("wp0")} ${get("outp")} ${get("OH")} ${get("OW")}))
        (else (if ${P("biasAt")}
          (then (call $dw3x3_plane_bias ${get("buf")} ${get("ws")} ${get("wp0")} ${get("outp")} ${get("OH")} ${get("OW")}
            ${add(P("biasAt"), mul(get("o"), c(4)))}))
          (else (call $dw3x3_plane ${get("buf")} ${get("ws")} ${get("wp0")} ${get("outp")} ${get("OH")} ${get("OW")})))))) (else
    ${loop("oh", c(0), get("OH"), `
      ${set("orow", add(get("outp"), mul(mul(get("oh"), get("OW")), c(4))))}
      ${set("ow", c(0))}
      (if (i32.eq ${get("sW")} ${c(1)}) (then
        ;; sixteen outputs at a time into a row buffer (the padded plane rows have 16 floats of slack,
        ;; so the last block may run past OW), every tap accumulated in registers
        (memory.copy ${get("rt")} ${get("orow")} ${mul(get("OW"), c(4))})
        ${loop("ow", c(0), get("OW"), `
          (local.set $acc0 (v128.load offset=0 ${add(get("rt"), mul(get("ow"), c(4)))}))
          (local.set $acc1 (v128.load offset=16 ${add(get("rt"), mul(get("ow"), c(4)))}))
          (local.set $acc2 (v128.load offset=32 ${add(get("rt"), mul(get("ow"), c(4)))}))
          (local.set $acc3 (v128.load offset=48 ${add(get("rt"), mul(get("ow"), c(4)))}))
          ${loop("ki", c(0), get("kH"), `
            ${set("row", add(get("buf"), mul(add(mul(add(mul(get("oh"), get("sH")), mul(get("ki"), get("dH"))), get("ws")), get("ow")), c(4))))}
            ${loop("kj", c(0), get("kW"), `
              (local.set $wv (v128.load32_splat ${add(get("wp0"), mul(add(mul(get("ki"), get("kW")), get("kj")), c(4)))}))
              (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $wv) (v128.load offset=0 ${add(get("row"), mul(mul(get("kj"), get("dW")), c(4)))}))))
              (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $wv) (v128.load offset=16 ${add(get("row"), mul(mul(get("kj"), get("dW")), c(4)))}))))
              (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $wv) (v128.load offset=32 ${add(get("row"), mul(mul(get("kj"), get("dW")), c(4)))}))))
              (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $wv) (v128.load offset=48 ${add(get("row"), mul(mul(get("kj"), get("dW")), c(4)))}))))`)}`)}
          (v128.store offset=0 ${add(get("rt"), mul(get("ow"), c(4)))} (local.get $acc0))
          (v128.store offset=16 ${add(get("rt"), mul(get("ow"), c(4)))} (local.get $acc1))
          (v128.store offset=32 ${add(get("rt"), mul(get("ow"), c(4)))} (local.get $acc2))
          (v128.store offset=48 ${add(get("rt"), mul(get("ow"), c(4)))} (local.get $acc3))`, 16)}
        (memory.copy ${get("orow")} ${get("rt")} ${mul(get("OW"), c(4))})
        ${set("ow", get("OW"))}))
      ;; remaining outputs (all of them when the stride is not 1), one at a time
      ${loop("ow", get("ow"), get("OW"), `
        (local.set $sum (f32.load ${add(get("orow"), mul(get("ow"), c(4)))}))
        ${loop("ki", c(0), get("kH"), `
          ${set("row", add(get("buf"), mul(add(mul(add(mul(get("oh"), get("sH")), mul(get("ki"), get("dH"))), get("ws")), mul(get("ow"), get("sW"))), c(4))))}
          ${loop("kj", c(0), get("kW"), `
            (local.set $sum (f32.add (local.get $sum) (f32.mul
              (f32.load ${add(get("wp0"), mul(add(mul(get("ki"), get("kW")), get("kj")), c(4)))})
              (f32.load ${add(get("row"), mul(mul(get("kj"), get("dW")), c(4)))}))))`)}`)}
        (f32.store ${add(get("orow"), mul(get("ow"), c(4)))} (local.get $sum))`)}`)}))`)}`)})

;; Depthwise input gradient for any stride: one item = (image, input plane ci); scatters every
;; gy[n][ci*m + j] through the taps of w[ci*m + j] (multiplier = m). dx (y) rows are complete per item.
(func $dw_bwd_in (export "dw_bwd_in") (param $p i32) (param $item i32) (param $s i32)
  ${loc("ci", "n", "m", "j", "o", "H", "W", "OH", "OW", "oh", "ow", "ki", "kj", "ih", "iw", "dxp", "gyp", "wp0")}
  (local $g f32)
  ${set("m", K("dw_bwd_in", "multiplier"))} ${set("H", P("inH"))} ${set("W", P("inW"))} ${set("OH", P("outH"))} ${set("OW", P("outW"))}
  ${set("ci", `(i32.rem_u ${get("item")} ${P("inC")})`)}
  ${set("n", `(i32.div_u ${get("item")} ${P("inC")})`)}
  ${set("dxp", add(P("y"), mul(mul(add(mul(get("n"), P("inC")), get("ci")), mul(get("H"), get("W"))), c(4))))}
  (memory.fill ${get("dxp")} (i32.const 0) ${mul(mul(get("H"), get("W")), c(4))})
  ${loop("j", c(0), get("m"), `
    ${set("o", add(mul(get("ci"), get("m")), get("j")))}
    ${set("gyp", add(P("x"), mul(mul(add(mul(get("n"), P("outC")), get("o")), mul(get("OH"), get("OW"))), c(4))))}
    ${set("wp0", add(P("a"), mul(mul(get("o"), mul(P("kH"), P("kW"))), c(4))))}
    ${loop("oh", c(0), get("OH"), loop("ow", c(0), get("OW"), `
      (local.set $g (f32.load ${add(get("gyp"), mul(add(mul(get("oh"), get("OW")), get("ow")), c(4)))}))
      ${loop("ki", c(0), P("kH"), `
        ${set("ih", add(sub(mul(get("oh"), P("sH")), P("padT")), mul(get("ki"), P("dH"))))}
        (if (i32.lt_u ${get("ih")} ${get("H")}) (then
          ${loop("kj", c(0), P("kW"), `
            ${set("iw", add(sub(mul(get("ow"), P("sW")), P("padL")), mul(get("kj"), P("dW"))))}
            (if (i32.lt_u ${get("iw")} ${get("W")}) (then
              (f32.store ${add(get("dxp"), mul(add(mul(get("ih"), get("W")), get("iw")), c(4)))}
                (f32.add (f32.load ${add(get("dxp"), mul(add(mul(get("ih"), get("W")), get("iw")), c(4)))})
                  (f32.mul (local.get $g) (f32.load ${add(get("wp0"), mul(add(mul(get("ki"), P("kW")), get("kj")), c(4)))}))))))`)}))`)}`))}`)})

;; Depthwise weight gradient: one item = input plane ci and outPerItem of its multiplier = m output planes (sharing
;; one padded copy of the input plane, or the copies at padded made beforehand when several items share
;; an input plane); sums over
;; images gy[n][o] correlated with the zero-bordered input plane, vectorised along rows at stride 1.
;; dW (y) is written, not accumulated.
(func $dw_bwd_w (export "dw_bwd_w") (param $p i32) (param $item i32) (param $s i32)
  ${loc("o", "n", "ci", "buf", "hp", "wpd", "ws", "OH", "OW", "oh", "ow", "ki", "kj", "xr", "gr", "gyp", "xin", "sW", "sH", "m", "r",
    "per", "r0", "r1", "fast3", "rowWise")}
  (local $acc v128) (local $acc2 v128) (local $sum f32)
  ${set("OH", P("outH"))} ${set("OW", P("outW"))} ${set("sH", P("sH"))} ${set("sW", P("sW"))}
  ${set("fast3", isUnit3x3())}
  ${set("rowWise", `(i32.and (i32.eqz (i32.or (i32.or ${sub(P("dH"), c(1))} ${sub(P("dW"), c(1))}) (i32.or ${sub(get("sH"), c(1))} ${sub(get("sW"), c(1))})))
    ${WGRAD_ROW_WIDTHS.map((w) => `(i32.eq ${P("kW")} ${c(w)})`).reduce((a, b) => `(i32.or ${a} ${b})`)})`)}
  ${set("m", K("dw_bwd_w", "multiplier"))}
  ${set("per", K("dw_bwd_w", "outPerItem"))}
  ;; items per input plane = ceil(m / per); this item's output planes are [r0, r1) of the plane's m
  ${set("ci", `(i32.div_u ${get("item")} (i32.div_u ${add(get("m"), sub(get("per"), c(1)))} ${get("per")}))`)}
  ${set("r0", mul(`(i32.rem_u ${get("item")} (i32.div_u ${add(get("m"), sub(get("per"), c(1)))} ${get("per")}))`, get("per")))}
  ${set("r1", min(add(get("r0"), get("per")), get("m")))}
  ${set("hp", add(add(mul(sub(get("OH"), c(1)), get("sH")), mul(sub(P("kH"), c(1)), P("dH"))), c(1)))}
  ${set("wpd", add(add(mul(sub(get("OW"), c(1)), get("sW")), mul(sub(P("kW"), c(1)), P("dW"))), c(1)))}
  ${set("ws", add(get("wpd"), c(8)))}
  ${set("buf", add(get("s"), c(EDGE_BYTES)))}
  (memory.fill ${add(P("y"), mul(mul(add(mul(get("ci"), get("m")), get("r0")), mul(P("kH"), P("kW"))), c(4)))} (i32.const 0)
    ${mul(mul(sub(get("r1"), get("r0")), mul(P("kH"), P("kW"))), c(4))})
  ${loop("n", c(0), P("batch"), `
    ${set("xin", add(P("x"), mul(mul(add(mul(get("n"), P("inC")), get("ci")), mul(P("inH"), P("inW"))), c(4))))}
    ;; padded: the planes were padded beforehand (pad_input, hp x ws each), as several items read each
    (if ${K("dw_bwd_w", "padded")}
      (then ${set("buf", add(K("dw_bwd_w", "padded"), mul(mul(mul(add(mul(get("n"), P("inC")), get("ci")), get("hp")), get("ws")), c(4))))})
      (else (call $pad_plane ${get("xin")} ${P("inH")} ${P("inW")} ${P("padT")} ${P("padL")} ${get("buf")} ${get("hp")} ${get("wpd")} ${get("ws")} ${c(0)})))
    ${loop("r", get("r0"), get("r1"), `
    ${set("o", add(mul(get("ci"), get("m")), get("r")))}
    ${set("gyp", add(P("a"), mul(mul(add(mul(get("n"), P("outC")), get("o")), mul(get("OH"), get("OW"))), c(4))))}
    (if ${get("fast3")} (then
      (call $dw_wgrad_3x3 ${get("buf")} ${get("ws")} ${get("gyp")} ${get("OH")} ${get("OW")} ${add(P("y"), mul(mul(get("o"), c(9)), c(4)))}))
    (else (if ${get("rowWise")} (then
      ;; stride 1, dilation 1, a kernel 3, 5 or 7 wide: one block per kernel row
      ${loop("ki", c(0), P("kH"), `
        ${set("xr", add(get("buf"), mul(mul(get("ki"), get("ws")), c(4))))}
        ${set("gr", add(P("y"), mul(add(mul(get("o"), mul(P("kH"), P("kW"))), mul(get("ki"), P("kW"))), c(4))))}
        ${WGRAD_ROW_WIDTHS.map((w) => `(if (i32.eq ${P("kW")} ${c(w)}) (then
          (call $dw_wgrad_1x${w} ${get("xr")} ${get("ws")} ${get("gyp")} ${get("OH")} ${get("OW")} ${get("gr")})))`).join("\n        ")}`)})
    (else
    ${loop("ki", c(0), P("kH"), loop("kj", c(0), P("kW"), `
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $acc2 (v128.const i32x4 0 0 0 0))
      (local.set $sum (f32.const 0))
      ${loop("oh", c(0), get("OH"), `
        ${set("gr", add(get("gyp"), mul(mul(get("oh"), get("OW")), c(4))))}
        ${set("xr", add(get("buf"), mul(add(mul(add(mul(get("oh"), get("sH")), mul(get("ki"), P("dH"))), get("ws")), mul(get("kj"), P("dW"))), c(4))))}
        ${set("ow", c(0))}
        (if (i32.eq ${get("sW")} ${c(1)}) (then
          ;; two independent accumulators, eight pixels a step, so the adds do not wait on each other
          ${loopWhole("ow", c(0), get("OW"), `
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (v128.load ${add(get("gr"), mul(get("ow"), c(4)))}) (v128.load ${add(get("xr"), mul(get("ow"), c(4)))}))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul
              (v128.load offset=16 ${add(get("gr"), mul(get("ow"), c(4)))}) (v128.load offset=16 ${add(get("xr"), mul(get("ow"), c(4)))}))))`, 8)}
          ${loopWhole("ow", get("ow"), get("OW"), `
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (v128.load ${add(get("gr"), mul(get("ow"), c(4)))}) (v128.load ${add(get("xr"), mul(get("ow"), c(4)))}))))`, 4)}))
        ${loop("ow", get("ow"), get("OW"), `
          (local.set $sum (f32.add (local.get $sum) (f32.mul
            (f32.load ${add(get("gr"), mul(get("ow"), c(4)))}) (f32.load ${add(get("xr"), mul(mul(get("ow"), get("sW")), c(4)))}))))`)}`)}
      (local.set $acc (f32x4.add (local.get $acc) (local.get $acc2)))
      (f32.store ${add(P("y"), mul(add(mul(get("o"), mul(P("kH"), P("kW"))), add(mul(get("ki"), P("kW")), get("kj"))), c(4)))}
        (f32.add (f32.load ${add(P("y"), mul(add(mul(get("o"), mul(P("kH"), P("kW"))), add(mul(get("ki"), P("kW")), get("kj"))), c(4)))})
          (f32.add (local.get $sum) (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))))`))}))))`)}`)})
`;

/** Two 4x4 transposes of v[0..3] (four pixels of four taps each) into four panel rows of the
 * B panel at d + off (rows NR * 4 bytes apart): row p gets lane p of each vector. */
function transposeStore(v, off) {
  const lo = "0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23";
  const hi = "8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31";
  const d = get("d");
  return `
      (local.set $t0 (i8x16.shuffle ${lo} (local.get $v${v[0]}) (local.get $v${v[1]})))
      (local.set $t1 (i8x16.shuffle ${hi} (local.get $v${v[0]}) (local.get $v${v[1]})))
      (local.set $t2 (i8x16.shuffle ${lo} (local.get $v${v[2]}) (local.get $v${v[3]})))
      (local.set $t3 (i8x16.shuffle ${hi} (local.get $v${v[2]}) (local.get $v${v[3]})))
      (v128.store offset=${off} ${d} (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
      (v128.store offset=${off + NR * 4} ${d} (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
      (v128.store offset=${off + 2 * NR * 4} ${d} (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
      (v128.store offset=${off + 3 * NR * 4} ${d} (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))`;
}

/**
 * One B panel of the weight gradient: dst[q][j] = im2col(x)[j0 + j][p0 + q] for q < kc, j < NR
 * (zero for j >= ncol or outside the image). Columns are kernel taps (c, i, j), rows are pixels, so
 * this is a transposed im2col: at stride 1, four neighbouring pixels of each of the eight taps are
 * one vector load, and two 4x4 register transposes turn the eight loads into four panel rows.
 */
function packBWgrad() {
  const J = Array.from({ length: NR }, (_, j) => j);
  const g = get;
  return `(func $pack_b_wgrad (param $p i32) (param $xg i32) (param $dst i32) (param $p0 i32) (param $kc i32) (param $j0 i32) (param $ncol i32)
  ${loc("H", "W", "OW", "sH", "sW", "KK", "k", "t", "q", "pix", "oh", "ow", "ih", "iw", "d", "ok", "e", "n",
    ...J.map((j) => `xc${j}`), ...J.map((j) => `ho${j}`), ...J.map((j) => `wo${j}`))}
  ${J.map((j) => `(local $v${j} v128)`).join(" ")} (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  ${set("H", P("inH"))} ${set("W", P("inW"))} ${set("OW", P("outW"))} ${set("sH", P("sH"))} ${set("sW", P("sW"))}
  ${set("KK", mul(P("kH"), P("kW")))}
  ;; per column: its channel plane and tap offsets; a missing column gets an offset no pixel reaches
  ${J.map((j) => `
  (if (i32.lt_s ${c(j)} ${g("ncol")})
    (then
      ${set("k", add(g("j0"), c(j)))}
      ${set("t", `(i32.rem_u ${g("k")} ${g("KK")})`)}
      ${set(`xc${j}`, add(g("xg"), mul(mul(mul(`(i32.div_u ${g("k")} ${g("KK")})`, g("H")), g("W")), c(4))))}
      ${set(`ho${j}`, sub(mul(`(i32.div_u ${g("t")} ${P("kW")})`, P("dH")), P("padT")))}
      ${set(`wo${j}`, sub(mul(`(i32.rem_u ${g("t")} ${P("kW")})`, P("dW")), P("padL")))})
    (else ${set(`xc${j}`, g("xg"))} ${set(`ho${j}`, c(-0x40000000))} ${set(`wo${j}`, c(0))}))`).join("")}
  ${loop("q", c(0), g("kc"), `
    ${set("pix", add(g("p0"), g("q")))}
    ${set("oh", `(i32.div_u ${g("pix")} ${g("OW")})`)}
    ${set("ow", `(i32.rem_u ${g("pix")} ${g("OW")})`)}
    ${set("d", add(g("dst"), mul(g("q"), c(NR * 4))))}
    ;; four pixels in one output row at stride 1 whose eight taps all fall inside the image
    ${set("ok", `(i32.and (i32.and (i32.le_s ${add(g("q"), c(4))} ${g("kc")}) (i32.le_s ${add(g("ow"), c(4))} ${g("OW")}))
      (i32.eq ${g("sW")} ${c(1)}))`)}
    ${J.map((j) => `
    ${set("ih", add(mul(g("oh"), g("sH")), g(`ho${j}`)))}
    ${set("iw", add(g("ow"), g(`wo${j}`)))}
    ${set("ok", `(i32.and ${g("ok")} (i32.and (i32.lt_u ${g("ih")} ${g("H")})
      (i32.and (i32.ge_s ${g("iw")} ${c(0)}) (i32.le_s ${add(g("iw"), c(4))} ${g("W")}))))`)}`).join("")}
    (if ${g("ok")}
      (then
        ${J.map((j) => `(local.set $v${j} (v128.load ${add(g(`xc${j}`), mul(add(mul(add(mul(g("oh"), g("sH")), g(`ho${j}`)), g("W")), add(g("ow"), g(`wo${j}`))), c(4)))}))`).join("\n        ")}
        ${transposeStore([0, 1, 2, 3], 0)}
        ${transposeStore([4, 5, 6, 7], 16)}
        ${inc("q", 4)})
      (else
        ;; one pixel, every column, with bounds checks
        ${J.map((j) => `
        ${set("ih", add(mul(g("oh"), g("sH")), g(`ho${j}`)))}
        ${set("iw", add(mul(g("ow"), g("sW")), g(`wo${j}`)))}
        (f32.store offset=${j * 4} ${g("d")}
          (if (result f32) (i32.and (i32.lt_u ${g("ih")} ${g("H")}) (i32.lt_u ${g("iw")} ${g("W")}))
            (then (f32.load ${add(g(`xc${j}`), mul(add(mul(g("ih"), g("W")), g("iw")), c(4)))}))
            (else (f32.const 0))))`).join("")}
        ${inc("q")}))
    ${set("q", sub(g("q"), c(1)))}`)})`;
}

/**
 * packBWgrad for a "wide" conv (the layout above pad_phases): pixel q of tap column j reads base_j[q] with
 * base_j the tap's phase plane shifted by its offset, so four pixels are always one vector load
 * and no bounds are checked. Missing columns repeat the last real one (their C columns are never
 * stored). The caller keeps every value read finite: gy is zero on the garbage pixels, and the
 * slack after the last plane is zeroed, so garbage pixels contribute exactly 0.
 */
function packBWgradWide() {
  const J = Array.from({ length: NR }, (_, j) => j);
  const g = get;
  return `(func $pack_b_wgrad_wide (param $p i32) (param $x i32) (param $dst i32) (param $p0 i32) (param $kc i32) (param $j0 i32) (param $ncol i32)
  ${loc("KK", "kW", "s", "plane", "k", "t", "hh", "ww", "q", "d", ...J.map((j) => `b${j}`))}
  ${J.map((j) => `(local $v${j} v128)`).join(" ")} (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  ${set("kW", P("kW"))}
  ${set("KK", mul(P("kH"), g("kW")))}
  ${set("s", K("conv_bwd_w", "stride"))}
  ${set("plane", mul(`(i32.div_u ${P("inH")} ${mul(g("s"), g("s"))})`, P("inW")))}
  ${J.map((j) => `
  ${set("k", add(g("j0"), min(c(j), sub(g("ncol"), c(1)))))}
  ${set("t", `(i32.rem_u ${g("k")} ${g("KK")})`)}
  ${set("hh", mul(`(i32.div_u ${g("t")} ${g("kW")})`, P("dH")))}
  ${set("ww", mul(`(i32.rem_u ${g("t")} ${g("kW")})`, P("dW")))}
  ${set(`b${j}`, add(g("x"), mul(add(add(
    mul(add(mul(add(mul(`(i32.div_u ${g("k")} ${g("KK")})`, g("s")), `(i32.rem_u ${g("hh")} ${g("s")})`), g("s")),
      `(i32.rem_u ${g("ww")} ${g("s")})`), g("plane")),
    add(mul(`(i32.div_u ${g("hh")} ${g("s")})`, P("inW")), `(i32.div_u ${g("ww")} ${g("s")})`)),
    g("p0")), c(4))))}`).join("")}
  ${loopWhole("q", c(0), g("kc"), `
    ${set("d", add(g("dst"), mul(g("q"), c(NR * 4))))}
    ${J.map((j) => `(local.set $v${j} (v128.load ${add(g(`b${j}`), mul(g("q"), c(4)))}))`).join("\n    ")}
    ${transposeStore([0, 1, 2, 3], 0)}
    ${transposeStore([4, 5, 6, 7], 16)}`, 4)}
  ${loop("q", g("q"), g("kc"), `
    ${set("d", add(g("dst"), mul(g("q"), c(NR * 4))))}
    ${J.map((j) => `(f32.store offset=${j * 4} ${g("d")} (f32.load ${add(g(`b${j}`), mul(g("q"), c(4)))}))`).join("\n    ")}`)})`;
}

/** The batched transpose kernel (its comment below, in the module). */
function transposeKernel() {
  // byte addresses of x[row][col] and y[col][row] (locals x, y: the batch's matrices)
  const xAt = (row) => add(get("x"), mul(add(mul(get(row), get("C")), get("col")), c(4)));
  const yAt = (row) => add(get("y"), mul(add(mul(get("col"), get("R")), get(row)), c(4)));
  const move = (row) => `(f32.store ${yAt(row)} (f32.load ${xAt(row)}))`;
  return `;; Batched transpose y[b][c][r] = x[b][r][c] (rows R, cols C), one item = (b, band of
;; TRANSPOSE_BAND rows of x = columns of y): 4 x 4 blocks through registers, the band's ragged
;; right edge and last rows one float at a time.
(func $transpose (export "transpose") (param $p i32) (param $item i32) (param $s i32)
  ${loc("R", "C", "bands", "b", "r0", "r1", "r", "rr", "col", "x", "y")}
  ${set("R", K("transpose", "rows"))} ${set("C", K("transpose", "cols"))}
  ${set("bands", `(i32.div_u ${add(get("R"), c(TRANSPOSE_BAND - 1))} ${c(TRANSPOSE_BAND)})`)}
  ${set("b", `(i32.div_u ${get("item")} ${get("bands")})`)}
  ${set("r0", mul(`(i32.rem_u ${get("item")} ${get("bands")})`, c(TRANSPOSE_BAND)))}
  ${set("r1", min(add(get("r0"), c(TRANSPOSE_BAND)), get("R")))}
  ${set("x", add(P("x"), mul(mul(mul(get("b"), get("R")), get("C")), c(4))))}
  ${set("y", add(P("y"), mul(mul(mul(get("b"), get("R")), get("C")), c(4))))}
  ${loopWhole("r", get("r0"), get("r1"), `
    ${loopWhole("col", c(0), get("C"), `
      (call $transpose4 ${xAt("r")} ${mul(get("C"), c(4))} ${yAt("r")} ${mul(get("R"), c(4))})`, 4)}
    ${loop("col", get("col"), get("C"), loop("rr", get("r"), add(get("r"), c(4)), move("rr")))}`, 4)}
  ${loop("r", get("r"), get("r1"), loop("col", c(0), get("C"), move("r")))})`;
}

/**
 * interpolate (interp_fwd) and its adjoint (interp_adj) over NCHW planes, the loops of
 * src/backends/cpu/interpolate.ts with the same float64 intermediates in the same order, so the
 * results are those loops' bit for bit. Tables from the parameter block: at `a` the i32 source
 * columns c0, c1 (outW each) and rows r0, r1 (outH each); at `weights` the f64 weights w0, w1 of
 * the columns and h0, h1 of the rows (1 - λ and λ). Scratch: the float64 plane t [inH, outW], then
 * (adjoint) one float64 input row. Item = planesPerItem consecutive planes.
 */
function interpolateKernels() {
  const g = get;
  const f32At = (base, i) => `(f32.load ${add(base, mul(i, c(4)))})`;
  const f64At = (base, i) => `(f64.load ${add(base, mul(i, c(8)))})`;
  const i32At = (base, i) => `(i32.load ${add(base, mul(i, c(4)))})`;
  // x at the source column of table `cols` for output column q, widened (locals xr: row address)
  const src = (cols) => `(f64.promote_f32 ${f32At(g("xr"), i32At(g(cols), g("q")))})`;
  const prologue = (kernel) => `${loc("H", "W", "OH", "OW", "pl", "end", "xb", "yb", "r", "q", "xr", "tr", "t0", "t1", "o",
    "c0", "c1", "r0", "r1", "w0", "w1", "h0", "h1", "row", "near")}
  (local $a f64) (local $b f64) (local $v f64) (local $va v128) (local $vb v128) (local $lo v128) (local $hi v128)
  ${set("H", P("inH"))} ${set("W", P("inW"))} ${set("OH", P("outH"))} ${set("OW", P("outW"))}
  ${set("near", K(kernel, "nearest"))}
  ${set("c0", P("a"))} ${set("c1", add(g("c0"), mul(g("OW"), c(4))))}
  ${set("r0", add(g("c1"), mul(g("OW"), c(4))))} ${set("r1", add(g("r0"), mul(g("OH"), c(4))))}
  ${set("w0", K(kernel, "weights"))} ${set("w1", add(g("w0"), mul(g("OW"), c(8))))}
  ${set("h0", add(g("w1"), mul(g("OW"), c(8))))} ${set("h1", add(g("h0"), mul(g("OH"), c(8))))}
  ${planeRange(kernel)}`;
  // byte addresses of rows r0[r] and r1[r] of t
  const rowsOfT = () => `${set("t0", add(get("s"), mul(mul(i32At(g("r0"), g("r")), g("OW")), c(8))))}
      ${set("t1", add(get("s"), mul(mul(i32At(g("r1"), g("r")), g("OW")), c(8))))}`;
  const at8 = (base) => add(g(base), mul(g("q"), c(8)));
  return `;; y [planes, outH, outW] = interpolate(x [planes, inH, inW]) (x, y: the parameter block's):
;;   t[h, q] = w0_q x[h, c0_q] + w1_q x[h, c1_q]       (nearest: x[h, c0_q])
;;   y[p, q] = h0_p t[r0_p, q] + h1_p t[r1_p, q]       (nearest: t[r0_p, q]), rounded once to f32
;; the second pass two float64 lanes at a time, four outputs a step.
(func $interp_fwd (export "interp_fwd") (param $p i32) (param $item i32) (param $s i32)
  ${prologue("interp_fwd")}
  ${loop("pl", g("pl"), g("end"), `
  ${set("xb", add(P("x"), mul(mul(g("pl"), mul(g("H"), g("W"))), c(4))))}
  ${set("o", add(P("y"), mul(mul(g("pl"), mul(g("OH"), g("OW"))), c(4))))}
  ${loop("r", c(0), g("H"), `
    ${set("xr", add(g("xb"), mul(mul(g("r"), g("W")), c(4))))}
    ${set("tr", add(get("s"), mul(mul(g("r"), g("OW")), c(8))))}
    (if ${g("near")}
      (then ${loop("q", c(0), g("OW"), `(f64.store ${at8("tr")} ${src("c0")})`)})
      (else ${loop("q", c(0), g("OW"), `(f64.store ${at8("tr")}
        (f64.add (f64.mul ${f64At(g("w0"), g("q"))} ${src("c0")}) (f64.mul ${f64At(g("w1"), g("q"))} ${src("c1")})))`)}))`)}
  ${loop("r", c(0), g("OH"), `
    ${rowsOfT()}
    (if ${g("near")}
      (then ${loop("q", c(0), g("OW"), `(f32.store ${add(g("o"), mul(g("q"), c(4)))} (f32.demote_f64 (f64.load ${at8("t0")})))`)})
      (else
        (local.set $a ${f64At(g("h0"), g("r"))}) (local.set $b ${f64At(g("h1"), g("r"))})
        (local.set $va (f64x2.splat (local.get $a))) (local.set $vb (f64x2.splat (local.get $b)))
        ${loopWhole("q", c(0), g("OW"), `
          (local.set $lo (f64x2.add (f64x2.mul (local.get $va) (v128.load ${at8("t0")})) (f64x2.mul (local.get $vb) (v128.load ${at8("t1")}))))
          (local.set $hi (f64x2.add (f64x2.mul (local.get $va) (v128.load offset=16 ${at8("t0")})) (f64x2.mul (local.get $vb) (v128.load offset=16 ${at8("t1")}))))
          (v128.store ${add(g("o"), mul(g("q"), c(4)))} (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))`, 4)}
        ${loop("q", g("q"), g("OW"), `(f32.store ${add(g("o"), mul(g("q"), c(4)))}
          (f32.demote_f64 (f64.add (f64.mul (local.get $a) (f64.load ${at8("t0")})) (f64.mul (local.get $b) (f64.load ${at8("t1")})))))`)}))
    ${set("o", add(g("o"), mul(g("OW"), c(4))))}`)}`)})

;; gx [planes, inH, inW] = the adjoint of interp_fwd applied to g [planes, outH, outW] (x: g, y: gx):
;;   t[r0_p, q] += h0_p g[p, q], then t[r1_p, q] += h1_p g[p, q]      (nearest: t[r0_p, q] += g[p, q])
;;   row[c0_q] += w0_q t[h, q], then row[c1_q] += w1_q t[h, q]        (nearest: row[c0_q] += t[h, q])
;; in float64, each gx cell rounded once to f32; the first pass two lanes at a time.
(func $interp_adj (export "interp_adj") (param $p i32) (param $item i32) (param $s i32)
  ${prologue("interp_adj")}
  ${set("row", add(get("s"), mul(mul(g("H"), g("OW")), c(8))))}
  ${loop("pl", g("pl"), g("end"), `
  ${set("o", add(P("x"), mul(mul(g("pl"), mul(g("OH"), g("OW"))), c(4))))}
  ${set("yb", add(P("y"), mul(mul(g("pl"), mul(g("H"), g("W"))), c(4))))}
  (memory.fill ${get("s")} (i32.const 0) ${mul(mul(g("H"), g("OW")), c(8))})
  ${loop("r", c(0), g("OH"), `
    ${rowsOfT()}
    (if ${g("near")}
      (then ${loop("q", c(0), g("OW"), `(f64.store ${at8("t0")}
        (f64.add (f64.load ${at8("t0")}) (f64.promote_f32 ${f32At(g("o"), g("q"))})))`)})
      (else
        (local.set $a ${f64At(g("h0"), g("r"))}) (local.set $b ${f64At(g("h1"), g("r"))})
        (local.set $va (f64x2.splat (local.get $a))) (local.set $vb (f64x2.splat (local.get $b)))
        ${loopWhole("q", c(0), g("OW"), `
          (local.set $lo (f64x2.promote_low_f32x4 (v128.load64_zero ${add(g("o"), mul(g("q"), c(4)))})))
          (v128.store ${at8("t0")} (f64x2.add (v128.load ${at8("t0")}) (f64x2.mul (local.get $va) (local.get $lo))))
          (v128.store ${at8("t1")} (f64x2.add (v128.load ${at8("t1")}) (f64x2.mul (local.get $vb) (local.get $lo))))`, 2)}
        ${loop("q", g("q"), g("OW"), `
          (local.set $v (f64.promote_f32 ${f32At(g("o"), g("q"))}))
          (f64.store ${at8("t0")} (f64.add (f64.load ${at8("t0")}) (f64.mul (local.get $a) (local.get $v))))
          (f64.store ${at8("t1")} (f64.add (f64.load ${at8("t1")}) (f64.mul (local.get $b) (local.get $v))))`)}))
    ${set("o", add(g("o"), mul(g("OW"), c(4))))}`)}
  ${loop("r", c(0), g("H"), `
    (memory.fill ${g("row")} (i32.const 0) ${mul(g("W"), c(8))})
    ${set("tr", add(get("s"), mul(mul(g("r"), g("OW")), c(8))))}
    ${loop("q", c(0), g("OW"), `
      (local.set $v (f64.load ${at8("tr")}))
      ${set("t0", add(g("row"), mul(i32At(g("c0"), g("q")), c(8))))}
      (if ${g("near")}
        (then (f64.store ${g("t0")} (f64.add (f64.load ${g("t0")}) (local.get $v))))
        (else
          (f64.store ${g("t0")} (f64.add (f64.load ${g("t0")}) (f64.mul ${f64At(g("w0"), g("q"))} (local.get $v))))
          ${set("t1", add(g("row"), mul(i32At(g("c1"), g("q")), c(8))))}
          (f64.store ${g("t1")} (f64.add (f64.load ${g("t1")}) (f64.mul ${f64At(g("w1"), g("q"))} (local.get $v))))))`)}
    ${set("xr", add(g("yb"), mul(mul(g("r"), g("W")), c(4))))}
    ${loop("q", c(0), g("W"), `(f32.store ${add(g("xr"), mul(g("q"), c(4)))} (f32.demote_f64 ${f64At(g("row"), g("q"))}))`)}`)}`)})`;
}

function div4(v) { return `(i32.div_u ${v} ${c(MR)})`; }
function roundUp4(v) { return `(i32.and ${add(v, c(MR - 1))} ${c(~(MR - 1))})`; }

/**
 * conv2dBias's bias, added in place to a conv's output in the WebAssembly memory before it is
 * copied out: y[pl] += a[pl mod channels] over planes of `plane` floats (x unused). A float32 add
 * per element, the same rounding as the reference's broadcast add; the JavaScript loop it replaces
 * ran on the calling thread alone at ~1 ns a float, more than the 1-channel first layer's conv.
 * Item = planesPerItem consecutive planes.
 */
function biasKernel() {
  const at = (k) => add(get("o"), mul(k, c(4)));
  return `(func $add_bias (export "add_bias") (param $p i32) (param $item i32) (param $s i32)
  ${loc("pl", "end", "n", "ch")}
  ${planeRange("add_bias")}
  ${set("n", K("add_bias", "plane"))}
  ${set("ch", K("add_bias", "channels"))}
  ${loop("pl", get("pl"), get("end"), `
    (call $bias_run ${add(P("y"), mul(mul(get("pl"), get("n")), c(4)))} ${get("n")}
      (v128.load32_splat ${add(P("a"), mul(`(i32.rem_u ${get("pl")} ${get("ch")})`, c(4)))}))`)})
;; o[k] += v (every lane of v the same float) for k < n
(func $bias_run (param $o i32) (param $n i32) (param $v v128)
  ${loc("k")}
  ${loopWhole("k", c(0), get("n"), `
    (v128.store ${at(get("k"))} (f32x4.add (v128.load ${at(get("k"))}) (local.get $v)))
    (v128.store offset=16 ${at(get("k"))} (f32x4.add (v128.load offset=16 ${at(get("k"))}) (local.get $v)))`, 8)}
  ${loopWhole("k", get("k"), get("n"), `
    (v128.store ${at(get("k"))} (f32x4.add (v128.load ${at(get("k"))}) (local.get $v)))`, 4)}
  ${loop("k", get("k"), get("n"), `(f32.store ${at(get("k"))} (f32.add (f32.load ${at(get("k"))}) (f32x4.extract_lane 0 (local.get $v))))`)})`;
}

/**
 * The forward GEMM conv of a wide layout without packing B (conv_fwd with wide = 1): every im2col
 * row of a wide conv is one contiguous run of a (phase) plane, B[k][q] = x[q + offset_k], so the
 * micro-kernel reads it in place through a table of the K row offsets (P("offsets")), one more
 * load and add per k. Packing those rows (pack_b_wide, removed) took ~24% of the tile's time on the
 * 64-channel 56x56 layer (perf, one thread): a copy of K x N floats from L2/L3 per call.
 */
function directKernels() {
  return `${tileKernel(true)}
${tileEdge(true)}
${blockKernel(true)}
${blockDense()}`;
}

// ---- issue 23 (i23-step2): batch norm's backward ------------------------------------------------

/** f64x2 of lanes 0-1 (`half` 0) or 2-3 (`half` 1) of the f32x4 `v`. */
const promote = (v, half) =>
  half === 0 ? `(f64x2.promote_low_f32x4 ${v})` : `(f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${v} ${v}))`;

/**
 * Training-mode batch norm's backward for one channel per item (src/backends/cpu/batch-norm.ts
 * batchNormBackward has the math): over the channel's N runs of `inner` floats of x (P x) and the
 * cotangent g (P a). When `relu` is not 0 (batchNormReluTrain), relu's mask of g is recomputed from
 * x: v = (x - mean) scale + bias in float64, the forward's operations in its order (bn_fwd and the
 * JS loop), whose float32 rounding is the forward's y, so the mask (y > 0 or NaN: reluBackward's)
 * is the forward's bit for bit, without reading its output back in; it selects g lane by lane (an
 * and-not with the compare's bits: +0 elsewhere, no branch). One pass sums sum g and sum g (x - mean)
 * in float64 (f64x2, four chains: the two sums of lanes 0-1 and of lanes 2-3), a second, if
 * wantInput, writes dx = a g + b (x - mean) + d, computed in float64 and rounded once, as the JS
 * loop. `table`: 8 float64 per channel (a cache line, so that threads never share one): mean,
 * invstd, weight, scale = invstd weight in, the two sums out at 4 and 5, bias in at 6.
 */
function batchNormKernels() {
  const tab = (i) => `offset=${i * 8} ${get("t")}`;
  // x - mean of the four floats at k, as f64x2 of lanes 0-1 ($xlo) and 2-3 ($xhi)
  const centred = (at) => `
      (local.set $xv (v128.load ${add(get("xp"), at)}))
      (local.set $xlo (f64x2.sub ${promote("(local.get $xv)", 0)} (local.get $mv)))
      (local.set $xhi (f64x2.sub ${promote("(local.get $xv)", 1)} (local.get $mv)))`;
  // relu's gradient of the cotangent's lanes 0-1 or 2-3, promoted: +0 where the forward's y =
  // float32(v), v = (x - mean) scale + bias, is <= 0. float32(v) <= 0 exactly when v <= 2^-150 (half
  // the least subnormal rounds to even, to +0; anything above it to 2^-149 or more): one compare in
  // float64, no rounding, and a NaN v (y NaN, kept) compares false as y does
  const gHalf = (relu, half) => {
    const g = promote("(local.get $gv)", half);
    return relu
      ? `(v128.andnot ${g} (f64x2.le (f64x2.add (f64x2.mul (local.get ${half ? "$xhi" : "$xlo"}) (local.get $sv)) (local.get $biasv)) (local.get $cutv)))`
      : g;
  };
  // the scalar tail's x - mean is $xs
  const maskScalar = (relu, at) =>
    relu
      ? `(select (f32.load ${add(get("gp"), at)}) (f32.const 0) (i32.eqz (f64.le (f64.add (f64.mul (local.get $xs) (local.get $sc)) (local.get $bias)) (f64.const 0x1p-150))))`
      : `(f32.load ${add(get("gp"), at)})`;
  const centredScalar = (at) => `(local.set $xs (f64.sub (f64.promote_f32 (f32.load ${add(get("xp"), at)})) (local.get $m)))`;
  // the runs of channel c: base byte offset of run n in xp, gp, dp
  const runs = (body) => loop("n", c(0), get("N"), `
    ${set("base", mul(mul(add(mul(get("n"), get("C")), get("ch")), get("inner")), c(4)))}
    ${set("xp", add(P("x"), get("base")))} ${set("gp", add(P("a"), get("base")))} ${set("dp", add(P("y"), get("base")))}
    ${body}`);
  const sums = (relu) => runs(`
    ${loop("k", c(0), get("whole"), `${centred(get("k"))}
      (local.set $gv (v128.load ${add(get("gp"), get("k"))}))
      (local.set $sgA (f64x2.add (local.get $sgA) (local.tee $glo ${gHalf(relu, 0)})))
      (local.set $sgB (f64x2.add (local.get $sgB) (local.tee $ghi ${gHalf(relu, 1)})))
      (local.set $sxA (f64x2.add (local.get $sxA) (f64x2.mul (local.get $glo) (local.get $xlo))))
      (local.set $sxB (f64x2.add (local.get $sxB) (f64x2.mul (local.get $ghi) (local.get $xhi))))`, 16)}
    ${loop("k", get("whole"), get("bytes"), `${centredScalar(get("k"))}
      (local.set $gs (f64.promote_f32 ${maskScalar(relu, get("k"))}))
      (local.set $sg (f64.add (local.get $sg) (local.get $gs)))
      (local.set $sgx (f64.add (local.get $sgx) (f64.mul (local.get $gs) (local.get $xs))))`, 4)}`);
  const dxLane = (relu, half) =>
    `(f32x4.demote_f64x2_zero (f64x2.add (f64x2.add (f64x2.mul (local.get $av) ${gHalf(relu, half)})
        (f64x2.mul (local.get $bv) (local.get ${half ? "$xhi" : "$xlo"}))) (local.get $dv)))`;
  const dx = (relu) => runs(`
    ${loop("k", c(0), get("whole"), `${centred(get("k"))}
      (local.set $gv (v128.load ${add(get("gp"), get("k"))}))
      (v128.store ${add(get("dp"), get("k"))} (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${dxLane(relu, 0)} ${dxLane(relu, 1)}))`, 16)}
    ${loop("k", get("whole"), get("bytes"), `${centredScalar(get("k"))}
      (f32.store ${add(get("dp"), get("k"))} (f32.demote_f64 (f64.add (f64.add
        (f64.mul (local.get $a) (f64.promote_f32 ${maskScalar(relu, get("k"))}))
        (f64.mul (local.get $b) (local.get $xs))) (local.get $d))))`, 4)}`);
  return `;; Batch norm's backward, one channel per item (batchNormKernels in gen-wat.mjs says how)
(func $bn_bwd (export "bn_bwd") (param $p i32) (param $item i32) (param $s i32)
  ${loc("ch", "n", "k", "C", "N", "inner", "base", "xp", "gp", "dp", "whole", "bytes", "t")}
  (local $m f64) (local $sg f64) (local $sgx f64) (local $gs f64) (local $is f64) (local $a f64) (local $b f64) (local $d f64) (local $cnt f64)
  (local $xs f64) (local $sc f64) (local $bias f64)
  (local $mv v128) (local $sgA v128) (local $sgB v128) (local $sxA v128) (local $sxB v128) (local $gv v128) (local $xv v128)
  (local $glo v128) (local $ghi v128) (local $av v128) (local $bv v128) (local $dv v128)
  (local $xlo v128) (local $xhi v128) (local $sv v128) (local $biasv v128) (local $cutv v128)
  ${set("ch", get("item"))} ${set("C", P("inC"))} ${set("N", P("batch"))} ${set("inner", K("bn_bwd", "inner"))}
  ${set("bytes", mul(get("inner"), c(4)))} ${set("whole", mul(`(i32.and ${get("inner")} ${c(-4)})`, c(4)))}
  ${set("t", add(K("bn_bwd", "table"), mul(get("ch"), c(64))))}
  (local.set $m (f64.load ${tab(0)}))
  (local.set $mv (f64x2.splat (local.get $m)))
  (local.set $sc (f64.load ${tab(3)})) (local.set $bias (f64.load ${tab(6)}))
  (local.set $sv (f64x2.splat (local.get $sc))) (local.set $biasv (f64x2.splat (local.get $bias)))
  (local.set $cutv (v128.const f64x2 0x1p-150 0x1p-150))
  (if ${K("bn_bwd", "relu")} (then ${sums(true)}) (else ${sums(false)}))
  ;; the lanes' chains pairwise, then the scalar tails' (the JS loop's order differs by float64 roundings only)
  (local.set $sg (f64.add (local.get $sg) (f64.add
    (f64.add (f64x2.extract_lane 0 (local.get $sgA)) (f64x2.extract_lane 1 (local.get $sgA)))
    (f64.add (f64x2.extract_lane 0 (local.get $sgB)) (f64x2.extract_lane 1 (local.get $sgB))))))
  (local.set $sgx (f64.add (local.get $sgx) (f64.add
    (f64.add (f64x2.extract_lane 0 (local.get $sxA)) (f64x2.extract_lane 1 (local.get $sxA)))
    (f64.add (f64x2.extract_lane 0 (local.get $sxB)) (f64x2.extract_lane 1 (local.get $sxB))))))
  (f64.store ${tab(4)} (local.get $sg))
  (f64.store ${tab(5)} (local.get $sgx))
  (if (i32.eqz ${K("bn_bwd", "wantInput")}) (then (return)))
  ;; dx = a g + b (x - mean) + d with batchNormBackward's constants, in its order of operations
  (local.set $is (f64.load ${tab(1)}))
  (local.set $cnt (f64.convert_i32_s ${mul(get("N"), get("inner"))}))
  (local.set $a (f64.mul (f64.load ${tab(2)}) (local.get $is)))
  (local.set $b (f64.div (f64.mul (f64.mul (f64.mul (f64.neg (local.get $a)) (local.get $is)) (local.get $is)) (local.get $sgx)) (local.get $cnt)))
  (local.set $d (f64.div (f64.mul (f64.neg (local.get $a)) (local.get $sg)) (local.get $cnt)))
  (local.set $av (f64x2.splat (local.get $a))) (local.set $bv (f64x2.splat (local.get $b))) (local.set $dv (f64x2.splat (local.get $d)))
  (if ${K("bn_bwd", "relu")} (then ${dx(true)}) (else ${dx(false)})))`;
}

/**
 * Winograd F(2x2, 3x3) for 3x3 convs at stride 1, dilation 1 (src/backends/cpu/fast/winograd.ts):
 * per 2x2 output tile, the 4x4 input tile d it reads becomes V = B^T d B, the 16 products
 * M[xi] = sum over ci of U[xi][co][ci] V[xi][ci] (16 GEMMs Cout x Cin x tiles, on $block), and the
 * output Y = A^T M A (+ bias): 16 multiplies per tile and channel pair where the direct conv
 * spends 36. B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], A^T = [1 1 1 0; 0 1 -1 -1]; U = G g G^T
 * comes transformed and packed in MR-row panels per xi from the TypeScript side (a = U).
 *
 * wino_conv: one item = a block of `block` consecutive tiles (a multiple of 4) of the tiles in all
 * (image, tile row, tile column; tilesW tiles a row, a multiple of 4 so that four consecutive
 * tiles share a tile row: the columns past the output are computed and dropped). x = the input
 * zero-bordered (pad_input) to planes inH x inW = (2 tilesH + 2) x (2 tilesW + 2), so tiles read
 * without bounds checks; y = the output, inC / outC the conv's channels. The item transforms its
 * tiles' inputs into V in its scratch, laid out as $block's packed B panels (per xi: panels of NR
 * tiles, inC deep), runs the 16 GEMMs into M (per xi: outC rows of `block` tiles) in its scratch
 * too, so V and M stay in the core's cache instead of passing through memory (4x the input and the
 * output each), and writes the output tiles. Scratch: edge | V 16 inC block | M 16 outC block, each
 * xi's slice of V and M followed by slicePad floats (src/backends/cpu/fast/winograd.ts, SLICE_PAD).
 */
function winogradKernels() {
  const EVEN = "0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27";
  const ODD = "4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31";
  const v = (n) => `(local.get $${n})`;
  const fadd = (a, b) => `(f32x4.add ${a} ${b})`;
  const fsub = (a, b) => `(f32x4.sub ${a} ${b})`;
  const ij = [0, 1, 2, 3];
  const vec = (...names) => names.map((n) => `(local $${n} v128)`).join(" ");
  // the tile t (locals t; tiles per image th tw) as image n, tile row ty, first tile column tx
  const decode = `${set("n", `(i32.div_u ${get("t")} ${mul(get("th"), get("tw"))})`)}
    ${set("r", `(i32.rem_u ${get("t")} ${mul(get("th"), get("tw"))})`)}
    ${set("ty", `(i32.div_u ${get("r")} ${get("tw")})`)}
    ${set("tx", `(i32.rem_u ${get("r")} ${get("tw")})`)}`;
  // row r of four tiles' 4x4 inputs (columns 2 tx .. 2 tx + 9 of a plane row at `row`): column j
  // of the four tiles is lanes j, j + 2, j + 4, j + 6 from the row's start, then d B along it
  const inputRow = (r, row) => `
      (local.set $a0 (v128.load ${row})) (local.set $a1 (v128.load offset=16 ${row}))
      (local.set $a2 (v128.load offset=8 ${row})) (local.set $a3 (v128.load offset=24 ${row}))
      (local.set $b0 (i8x16.shuffle ${EVEN} ${v("a0")} ${v("a1")}))
      (local.set $b1 (i8x16.shuffle ${ODD} ${v("a0")} ${v("a1")}))
      (local.set $b2 (i8x16.shuffle ${EVEN} ${v("a2")} ${v("a3")}))
      (local.set $b3 (i8x16.shuffle ${ODD} ${v("a2")} ${v("a3")}))
      (local.set $e${r}0 ${fsub(v("b0"), v("b2"))}) (local.set $e${r}1 ${fadd(v("b1"), v("b2"))})
      (local.set $e${r}2 ${fsub(v("b2"), v("b1"))}) (local.set $e${r}3 ${fsub(v("b1"), v("b3"))})`;
  // B^T e down the columns, each of the 16 results stored to V[xi] (vs bytes apart)
  const colOut = (i) => [
    (j) => fsub(v(`e0${j}`), v(`e2${j}`)),
    (j) => fadd(v(`e1${j}`), v(`e2${j}`)),
    (j) => fsub(v(`e2${j}`), v(`e1${j}`)),
    (j) => fsub(v(`e1${j}`), v(`e3${j}`)),
  ][i];
  const storeV = ij.flatMap((i) => ij.map((j) =>
    `(v128.store ${add(get("vp"), mul(c(i * 4 + j), get("vs")))} ${colOut(i)(j)})`)).join("\n      ");
  // A^T m A for four tiles: s_i = row combinations of m, then the columns
  const sRow = (i, j) => (i === 0
    ? fadd(fadd(v(`m0${j}`), v(`m1${j}`)), v(`m2${j}`))
    : fsub(fsub(v(`m1${j}`), v(`m2${j}`)), v(`m3${j}`)));
  const yOf = (i, j) => (j === 0
    ? fadd(fadd(v(`s${i}0`), v(`s${i}1`)), v(`s${i}2`))
    : fsub(fsub(v(`s${i}1`), v(`s${i}2`)), v(`s${i}3`)));
  // one output row of four tiles: lanes (y_i0[0], y_i1[0], y_i0[1], ...) as two vectors
  const LO = "0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23";
  const HI = "8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31";
  const storeRow = (i, at) => `(v128.store ${at} (i8x16.shuffle ${LO} ${v(`y${i}0`)} ${v(`y${i}1`)}))
          (v128.store offset=16 ${at} (i8x16.shuffle ${HI} ${v(`y${i}0`)} ${v(`y${i}1`)}))`;
  return `(func $wino_conv (export "wino_conv") (param $p i32) (param $item i32) (param $s i32)
  ${loc("Ci", "Co", "nb", "th", "tw", "t0", "nc", "j", "t", "n", "r", "ty", "tx", "ci", "co", "src", "vp", "vs", "ms",
    "V", "M", "rs", "plane", "xi", "aS", "dst", "l", "di", "dj", "oy", "ox", "OH", "OW")}
  ${vec("a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3", "bv")}
  ${vec(...ij.flatMap((i) => ij.map((j) => `e${i}${j}`)), ...ij.flatMap((i) => ij.map((j) => `m${i}${j}`)))}
  ${vec(...[0, 1].flatMap((i) => ij.map((j) => `s${i}${j}`)), "y00", "y01", "y10", "y11")}
  ${set("Ci", P("inC"))} ${set("Co", P("outC"))} ${set("nb", P("block"))}
  ${set("OH", P("outH"))} ${set("OW", P("outW"))}
  ${set("th", K("wino_conv", "tilesH"))} ${set("tw", K("wino_conv", "tilesW"))}
  ${set("t0", mul(get("item"), get("nb")))}
  ${set("nc", min(get("nb"), sub(mul(mul(P("batch"), get("th")), get("tw")), get("t0"))))}
  ${set("V", add(get("s"), c(EDGE_BYTES)))}
  ${set("vs", mul(add(mul(get("Ci"), get("nb")), K("wino_conv", "slicePad")), c(4)))}
  ${set("M", add(get("V"), mul(get("vs"), c(16))))}
  ${set("ms", mul(add(mul(get("Co"), get("nb")), K("wino_conv", "slicePad")), c(4)))}
  ${set("rs", mul(P("inW"), c(4)))}
  ${set("plane", mul(mul(P("inH"), P("inW")), c(4)))}
  ;; V: four tiles and one channel a step; tile j of the block is column j mod NR of panel j / NR
  ${loop("j", c(0), get("nc"), `
    ${set("t", add(get("t0"), get("j")))}
    ${decode}
    ${set("src", add(P("x"), add(mul(mul(get("n"), get("Ci")), get("plane")),
      add(mul(mul(get("ty"), c(2)), get("rs")), mul(get("tx"), c(8))))))}
    ${set("vp", add(get("V"), mul(add(mul(`(i32.shr_u ${get("j")} (i32.const 3))`, mul(get("Ci"), c(NR))),
      `(i32.and ${get("j")} ${c(NR - 1)})`), c(4))))}
    ${loop("ci", c(0), get("Ci"), `
      ${ij.map((r) => inputRow(r, r === 0 ? get("src") : add(get("src"), mul(get("rs"), c(r))))).join("")}
      ${storeV}
      ${set("src", add(get("src"), get("plane")))}
      ${set("vp", add(get("vp"), c(NR * 4)))}`)}`, 4)}
  ;; M[xi] = U[xi] V[xi]: Co x nc, Ci deep
  ${set("aS", mul(mul(roundUp4(get("Co")), get("Ci")), c(4)))}
  ${loop("xi", c(0), c(16), `
    (call $block ${add(P("a"), mul(get("xi"), get("aS")))} ${mul(get("Ci"), c(MR * 4))} ${add(get("V"), mul(get("xi"), get("vs")))}
      ${add(get("M"), mul(get("xi"), get("ms")))} ${mul(get("nb"), c(4))} ${get("Co")} ${get("nc")} ${get("Ci")} ${c(0)} ${get("s")})`)}
  ;; Y = A^T M A (+ bias), written to the output planes; tiles past the output's edge a float at a time
  ${loop("j", c(0), get("nc"), `
    ${set("t", add(get("t0"), get("j")))}
    ${decode}
    ${loop("co", c(0), get("Co"), `
      ${ij.flatMap((i) => ij.map((jj) =>
        `(local.set $m${i}${jj} (v128.load ${add(add(get("M"), mul(add(mul(get("co"), get("nb")), get("j")), c(4))), mul(c(i * 4 + jj), get("ms")))}))`)).join("\n      ")}
      ${[0, 1].flatMap((i) => ij.map((jj) => `(local.set $s${i}${jj} ${sRow(i, jj)})`)).join("\n      ")}
      ${[0, 1].flatMap((i) => [0, 1].map((jj) => `(local.set $y${i}${jj} ${yOf(i, jj)})`)).join("\n      ")}
      (if ${K("wino_conv", "bias")} (then
        (local.set $bv (v128.load32_splat ${add(K("wino_conv", "bias"), mul(get("co"), c(4)))}))
        ${[0, 1].flatMap((i) => [0, 1].map((jj) => `(local.set $y${i}${jj} ${fadd(v(`y${i}${jj}`), v("bv"))})`)).join(" ")}))
      ${set("oy", mul(get("ty"), c(2)))} ${set("ox", mul(get("tx"), c(2)))}
      ${set("dst", add(P("y"), mul(add(mul(add(mul(add(mul(get("n"), get("Co")), get("co")), get("OH")), get("oy")), get("OW")), get("ox")), c(4))))}
      (if (i32.and (i32.le_s ${add(get("ox"), c(8))} ${get("OW")}) (i32.le_s ${add(get("oy"), c(2))} ${get("OH")}))
        (then
          ${storeRow(0, get("dst"))}
          ${storeRow(1, add(get("dst"), mul(get("OW"), c(4))))})
        (else
          (v128.store offset=0 ${get("s")} ${v("y00")}) (v128.store offset=16 ${get("s")} ${v("y01")})
          (v128.store offset=32 ${get("s")} ${v("y10")}) (v128.store offset=48 ${get("s")} ${v("y11")})
          ${loop("l", c(0), c(4), loop("di", c(0), c(2), loop("dj", c(0), c(2), `
            (if (i32.and (i32.lt_s ${add(get("oy"), get("di"))} ${get("OH")}) (i32.lt_s ${add(add(get("ox"), mul(get("l"), c(2))), get("dj"))} ${get("OW")}))
              (then (f32.store ${add(get("dst"), mul(add(add(mul(get("di"), get("OW")), mul(get("l"), c(2))), get("dj")), c(4)))}
                (f32.load ${add(get("s"), mul(add(mul(add(mul(get("di"), c(2)), get("dj")), c(4)), get("l")), c(4)))}))))`)))}))`)}`, 4)})

;; U = G g G^T of every (co, ci) pair of the conv's 3x3 kernels, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
;; written as wino_conv's A: per xi, MR-row panels over co, inC deep (y + (xi ru(outC, MR) + panel MR inC) floats,
;; the four co of a panel one vector). One item = one panel: its four channels are the four lanes,
;; gathered from x = the weights, g[a][b] at co coStride + ci ciStride + (3a + b), or 8 - (3a + b)
;; when flip (the input gradient's flipped, transposed kernel). A last panel's lanes past outC repeat
;; channel outC - 1 (their rows of M are computed and never stored).
(func $wino_weights (export "wino_weights") (param $p i32) (param $item i32) (param $s i32)
  ${loc("Ci", "Co", "ci", "ts", "dst", "xs", "q0", "q1", "q2", "q3")}
  ${vec(...Array.from({ length: 9 }, (_, k) => `g${k}`), ...Array.from({ length: 12 }, (_, k) => `t${k}`))}
  ${set("Ci", P("inC"))} ${set("Co", P("outC"))}
  ${[0, 1, 2, 3].map((l) => set(`q${l}`, add(P("x"), mul(add(mul(min(add(mul(get("item"), c(MR)), c(l)), sub(get("Co"), c(1))),
    K("wino_weights", "coStride")), mul(K("wino_weights", "flip"), c(8))), c(4))))).join(" ")}
  ${set("ts", `(select ${c(-4)} ${c(4)} ${K("wino_weights", "flip")})`)}
  ${set("dst", add(P("y"), mul(mul(get("item"), get("Ci")), c(MR * 4))))}
  ${set("xs", mul(mul(roundUp4(get("Co")), get("Ci")), c(4)))}
  ${loop("ci", c(0), get("Ci"), `
    ${Array.from({ length: 9 }, (_, k) => `(local.set $g${k} (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
      (f32x4.splat (f32.load ${add(get("q0"), mul(get("ts"), c(k)))})) (f32.load ${add(get("q1"), mul(get("ts"), c(k)))}))
      (f32.load ${add(get("q2"), mul(get("ts"), c(k)))})) (f32.load ${add(get("q3"), mul(get("ts"), c(k)))})))`).join("\n    ")}
    ${[0, 1, 2].map((b) => `(local.set $t${b} ${v(`g${b}`)})
    (local.set $t${3 + b} (f32x4.mul ${fadd(fadd(v(`g${b}`), v(`g${3 + b}`)), v(`g${6 + b}`))} (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (local.set $t${6 + b} (f32x4.mul ${fadd(fsub(v(`g${b}`), v(`g${3 + b}`)), v(`g${6 + b}`))} (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (local.set $t${9 + b} ${v(`g${6 + b}`)})`).join("\n    ")}
    ${ij.map((a) => {
      const [t0, t1, t2] = [0, 1, 2].map((b) => v(`t${3 * a + b}`));
      const at = (j) => add(get("dst"), mul(c(4 * a + j), get("xs")));
      return `(v128.store ${at(0)} ${t0})
    (v128.store ${at(1)} (f32x4.mul ${fadd(fadd(t0, t1), t2)} (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (v128.store ${at(2)} (f32x4.mul ${fadd(fsub(t0, t1), t2)} (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (v128.store ${at(3)} ${t2})`;
    }).join("\n    ")}
    ${set("dst", add(get("dst"), c(MR * 4)))}
    ${[0, 1, 2, 3].map((l) => set(`q${l}`, add(get(`q${l}`), mul(K("wino_weights", "ciStride"), c(4))))).join(" ")}`)})`;
}

/**
 * Winograd F(2x2, 3x3)'s weight gradient (issue 23, i23-wgrad; src/backends/cpu/fast/winograd.ts).
 * The forward is Y = A^T (sum over ci of U[co][ci] . V[ci]) A per tile, so with dM = A dY A^T
 * (4x4 per output tile, A = [1 0; 1 1; 1 -1; 0 -1]) dU[xi][co][ci] = sum over tiles of
 * dM[xi][co][tile] V[xi][ci][tile] (16 GEMMs Cout x Cin, the tiles deep), and as U = G g G^T the
 * kernel's gradient is dg = G^T dU G.
 *
 * wino_wgrad: one item = a lane, laneTiles consecutive tiles of the tiles in all (image, tile row,
 * tile column; tilesW = ceil(outW / 2), not rounded up as wino_conv's), run in blocks of `block` tiles: the block's dM and V are transformed into
 * the scratch as $block's A (per xi, MR-row panels over co, nc tiles deep) and B (per xi, NR-column
 * panels over ci), four channels one vector (each xi's slice followed by slicePad floats), and its
 * 16 GEMMs add into the lane's own dU in y (y + lane 16 outC ru(inC, 4) floats, laid out
 * [co][xi][ci], ci padded to ru(inC, 4)). The lanes are a
 * function of the geometry, never of the threads, so the sums run in the same order on any thread
 * count. x = the input zero-bordered as wino_conv reads it (inH x inW = (2 tilesH + 2) x
 * (2 tilesW + 2)), a = dY zero-bordered to 2 tilesH x 2 tilesW (the forward's dropped outputs get
 * a zero gradient). Channels past the last of a group of four repeat it (their rows and columns of
 * the GEMMs are computed and never stored). Scratch: edge | dM 16 ru(outC, 4) block | V 16 ru(inC, 8) block.
 *
 * wino_wgrad_out: one item = an output channel co: dU = the lanes' partial sums added in lane order,
 * dg = G^T dU G (G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]), written as y[co][ci][3][3]; x = the
 * lanes' dU as wino_wgrad wrote them.
 */
function winogradWgradKernels() {
  const v = (n) => `(local.get $${n})`;
  const fadd = (a, b) => `(f32x4.add ${a} ${b})`;
  const fsub = (a, b) => `(f32x4.sub ${a} ${b})`;
  const half = (a) => `(f32x4.mul ${a} (v128.const f32x4 0.5 0.5 0.5 0.5))`;
  const ij = [0, 1, 2, 3];
  const vec = (...names) => names.map((n) => `(local $${n} v128)`).join(" ");
  // 4x4 transpose: rows r0..r3 (one channel each, lanes = columns) -> d0..d3 (one column each, lanes = channels)
  const LO = "0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23";
  const HI = "8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31";
  const FIRST = "0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23";
  const SECOND = "8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31";
  const decode = `${set("n", `(i32.div_u ${get("t")} ${mul(get("th"), get("tw"))})`)}
    ${set("r", `(i32.rem_u ${get("t")} ${mul(get("th"), get("tw"))})`)}
    ${set("ty", `(i32.div_u ${get("r")} ${get("tw")})`)}
    ${set("tx", `(i32.rem_u ${get("r")} ${get("tw")})`)}`;
  // channel l of a group of four at q: plane base + min(q + l, count - 1) planes
  const chans = (count, plane) => ij.map((l) => set(`c${l}`, add(get("base"), mul(min(add(get("q"), c(l)), sub(count, c(1))), plane)))).join(" ");
  const gather = (off) => `(f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1
      (f32x4.splat (f32.load ${add(get("c0"), off)})) (f32.load ${add(get("c1"), off)})) (f32.load ${add(get("c2"), off)})) (f32.load ${add(get("c3"), off)}))`;
  // A w: rows (w0, w0 + w1, w0 - w1, -w1) of a two-row (or two-column) w
  const aRows = (w0, w1) => [w0, fadd(w0, w1), fsub(w0, w1), `(f32x4.neg ${w1})`];
  // d B along a row (as wino_conv's inputRow) and B^T e down the columns
  const bRow = (d) => [fsub(d[0], d[2]), fadd(d[1], d[2]), fsub(d[2], d[1]), fsub(d[1], d[3])];
  const inputRow = (r) => `
      (local.set $w0 (i8x16.shuffle ${LO} (v128.load ${add(get("c0"), mul(get("rs"), c(r)))}) (v128.load ${add(get("c1"), mul(get("rs"), c(r)))})))
      (local.set $w1 (i8x16.shuffle ${HI} (v128.load ${add(get("c0"), mul(get("rs"), c(r)))}) (v128.load ${add(get("c1"), mul(get("rs"), c(r)))})))
      (local.set $w2 (i8x16.shuffle ${LO} (v128.load ${add(get("c2"), mul(get("rs"), c(r)))}) (v128.load ${add(get("c3"), mul(get("rs"), c(r)))})))
      (local.set $w3 (i8x16.shuffle ${HI} (v128.load ${add(get("c2"), mul(get("rs"), c(r)))}) (v128.load ${add(get("c3"), mul(get("rs"), c(r)))})))
      (local.set $d0 (i8x16.shuffle ${FIRST} ${v("w0")} ${v("w2")})) (local.set $d1 (i8x16.shuffle ${SECOND} ${v("w0")} ${v("w2")}))
      (local.set $d2 (i8x16.shuffle ${FIRST} ${v("w1")} ${v("w3")})) (local.set $d3 (i8x16.shuffle ${SECOND} ${v("w1")} ${v("w3")}))
      ${bRow(["d0", "d1", "d2", "d3"].map(v)).map((e, j) => `(local.set $e${r}${j} ${e})`).join(" ")}`;
  const colV = (j) => bRow(ij.map((i) => v(`e${i}${j}`)));
  const wgrad = `(func $wino_wgrad (export "wino_wgrad") (param $p i32) (param $item i32) (param $s i32)
  ${loc("Ci", "Co", "nb", "th", "tw", "T", "t0", "tEnd", "b0", "nc", "j", "t", "n", "r", "ty", "tx", "q", "base", "dst",
    "c0", "c1", "c2", "c3", "G", "V", "aS", "vS", "rs", "grs", "xplane", "gplane", "xi", "part", "ldc")}
  ${vec("g00", "g01", "g10", "g11", "h0", "h1", "w0", "w1", "w2", "w3", "d0", "d1", "d2", "d3")}
  ${vec(...ij.flatMap((i) => ij.map((j) => `e${i}${j}`)))}
  ${set("Ci", P("inC"))} ${set("Co", P("outC"))} ${set("nb", P("block"))}
  ${set("th", K("wino_wgrad", "tilesH"))} ${set("tw", K("wino_wgrad", "tilesW"))}
  ${set("T", mul(mul(P("batch"), get("th")), get("tw")))}
  ${set("t0", mul(get("item"), K("wino_wgrad", "laneTiles")))}
  ${set("tEnd", min(add(get("t0"), K("wino_wgrad", "laneTiles")), get("T")))}
  ${set("rs", mul(P("inW"), c(4)))} ${set("xplane", mul(mul(P("inH"), P("inW")), c(4)))}
  ${set("grs", mul(get("tw"), c(8)))} ${set("gplane", mul(mul(get("th"), get("tw")), c(16)))}
  ${set("ldc", roundUp4(get("Ci")))}
  ${set("part", add(P("y"), mul(mul(mul(get("item"), c(16 * 4)), get("Co")), get("ldc"))))}
  ${set("G", add(get("s"), c(EDGE_BYTES)))}
  ${set("V", add(get("G"), mul(mul(add(mul(roundUp4(get("Co")), get("nb")), K("wino_wgrad", "slicePad")), c(16)), c(4))))}
  ${loop("b0", get("t0"), get("tEnd"), `
    ${set("nc", min(get("nb"), sub(get("tEnd"), get("b0"))))}
    ${set("aS", mul(add(mul(roundUp4(get("Co")), get("nc")), K("wino_wgrad", "slicePad")), c(4)))}
    ${set("vS", mul(add(mul(`(i32.and ${add(get("Ci"), c(NR - 1))} ${c(-NR)})`, get("nc")), K("wino_wgrad", "slicePad")), c(4)))}
    ;; dM = A dY A^T: tile j of the block is row j of each MR-row panel
    ${loop("j", c(0), get("nc"), `
      ${set("t", add(get("b0"), get("j")))}
      ${decode}
      ${set("base", add(P("a"), add(mul(mul(get("n"), get("Co")), get("gplane")), add(mul(get("ty"), mul(get("grs"), c(2))), mul(get("tx"), c(8))))))}
      ${set("dst", add(get("G"), mul(get("j"), c(MR * 4))))}
      ${loop("q", c(0), get("Co"), `
        ${chans(get("Co"), get("gplane"))}
        (local.set $g00 ${gather(c(0))}) (local.set $g01 ${gather(c(4))})
        (local.set $g10 ${gather(get("grs"))}) (local.set $g11 ${gather(add(get("grs"), c(4)))})
        ${aRows(v("g00"), v("g10")).map((h0, i) => {
          const h1 = aRows(v("g01"), v("g11"))[i];
          return `(local.set $h0 ${h0}) (local.set $h1 ${h1})
        ${aRows(v("h0"), v("h1")).map((o, jj) => `(v128.store ${add(get("dst"), mul(c(4 * i + jj), get("aS")))} ${o})`).join(" ")}`;
        }).join("\n        ")}
        ${set("dst", add(get("dst"), mul(get("nc"), c(MR * 4))))}`, 4)}`)}
    ;; V = B^T d B: tile j of the block is row j of each NR-column panel
    ${loop("j", c(0), get("nc"), `
      ${set("t", add(get("b0"), get("j")))}
      ${decode}
      ${set("base", add(P("x"), add(mul(mul(get("n"), get("Ci")), get("xplane")), add(mul(mul(get("ty"), c(2)), get("rs")), mul(get("tx"), c(8))))))}
      ${loop("q", c(0), get("Ci"), `
        ${chans(get("Ci"), get("xplane"))}
        ${ij.map(inputRow).join("")}
        ${set("dst", add(add(get("V"), mul(get("j"), c(NR * 4))), add(mul(`(i32.shr_u ${get("q")} ${c(3)})`, mul(get("nc"), c(NR * 4))), mul(`(i32.and ${get("q")} ${c(4)})`, c(4)))))}
        ${ij.flatMap((j) => colV(j).map((o, i) => `(v128.store ${add(get("dst"), mul(c(4 * i + j), get("vS")))} ${o})`)).join("\n        ")}`, 4)}`)}
    ;; the lane's dU[xi] (+)= dM[xi] V[xi]^T
    ${loop("xi", c(0), c(16), `
      (call $block ${add(get("G"), mul(get("xi"), get("aS")))} ${mul(get("nc"), c(MR * 4))} ${add(get("V"), mul(get("xi"), get("vS")))}
        ${add(get("part"), mul(mul(get("xi"), get("ldc")), c(4)))} ${mul(get("ldc"), c(16 * 4))}
        ${get("Co")} ${get("Ci")} ${get("nc")} (i32.ne ${get("b0")} ${get("t0")}) ${get("s")})`)}`, get("nb"))})`;
  // dg = G^T dU G, as in U = G g G^T: rows (u0 + (u1 + u2) / 2, (u1 - u2) / 2, (u1 + u2) / 2 + u3)
  const gRows = (u) => [fadd(u[0], half(fadd(u[1], u[2]))), half(fsub(u[1], u[2])), fadd(half(fadd(u[1], u[2])), u[3])];
  const out = `(func $wino_wgrad_out (export "wino_wgrad_out") (param $p i32) (param $item i32) (param $s i32)
  ${loc("Ci", "Co", "ldc", "q", "l", "at", "ls", "k", "dst")}
  ${vec(...Array.from({ length: 16 }, (_, k) => `u${k}`), ...Array.from({ length: 12 }, (_, k) => `r${k}`))}
  ${set("Ci", P("inC"))} ${set("Co", P("outC"))} ${set("ldc", roundUp4(get("Ci")))}
  ${set("ls", mul(mul(mul(get("Co"), get("ldc")), c(16)), c(4)))}
  ${loop("q", c(0), get("Ci"), `
    ${set("at", add(P("x"), mul(add(mul(mul(get("item"), get("ldc")), c(16)), get("q")), c(4))))}
    ${Array.from({ length: 16 }, (_, k) => `(local.set $u${k} (v128.load ${add(get("at"), mul(mul(c(k), get("ldc")), c(4)))}))`).join("\n    ")}
    ${loop("l", c(1), K("wino_wgrad_out", "lanes"), `
      ${set("at", add(get("at"), get("ls")))}
      ${Array.from({ length: 16 }, (_, k) => `(local.set $u${k} ${fadd(v(`u${k}`), `(v128.load ${add(get("at"), mul(mul(c(k), get("ldc")), c(4)))})`)})`).join("\n      ")}`)}
    ${ij.flatMap((j) => gRows(ij.map((i) => v(`u${4 * i + j}`))).map((r, a) => `(local.set $r${4 * a + j} ${r})`)).join("\n    ")}
    ${[0, 1, 2].flatMap((a) => gRows(ij.map((j) => v(`r${4 * a + j}`))).map((w, b) => `(v128.store offset=${16 * (3 * a + b)} ${get("s")} ${w})`)).join("\n    ")}
    ;; lanes l < Ci - q: tap k of channel q + l is lane l of the k-th vector
    ${set("dst", add(P("y"), mul(mul(add(mul(get("item"), get("Ci")), get("q")), c(9)), c(4))))}
    ${loop("l", c(0), min(c(4), sub(get("Ci"), get("q"))), loop("k", c(0), c(9), `
      (f32.store ${add(get("dst"), mul(add(mul(get("l"), c(9)), get("k")), c(4)))} (f32.load ${add(get("s"), mul(add(mul(get("k"), c(4)), get("l")), c(4)))}))`))}`, 4)})`;
  return `${wgrad}\n\n${out}`;
}

/**
 * Issue 23 (i23-demo): max pooling's gradient for MaxPool2d(2) windows (2x2 at stride 2, no
 * padding, every window whole inside x: pool_argmax's mode 1), four windows a vector step. A
 * window's argmax is one of its four cells, at offset 0, 1, W or W + 1 from its top-left one; each
 * of the four cells' lanes takes gy where the offset matches it and +0 elsewhere, and the cells'
 * lanes are interleaved into the two rows of eight floats the four windows cover. 0 + gy, as
 * pool_scatter's add into zeroed planes (-0 becomes +0). Every cell the windows cover is stored
 * once, so the planes are zeroed first only when the windows leave some uncovered (fill).
 */
function demoKernels() {
  const interleave = (lo, a, b) =>
    `(i8x16.shuffle ${lo ? "0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23" : "8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31"} ${a} ${b})`;
  const cell = (offset) => `(v128.and (local.get $g) (i32x4.eq (local.get $d) (i32x4.splat ${offset})))`;
  // windows ow .. ow + 3 of the row: gy and argmax at window index i + ow, cells from dx index top
  const step = () => `
        ${set("at", mul(add(get("i"), get("ow")), c(4)))}
        (local.set $g (f32x4.add (v128.load ${add(P("x"), get("at"))}) (v128.const f32x4 0 0 0 0)))
        ${set("top", add(get("rowBase"), mul(get("ow"), c(2))))}
        (local.set $d (i32x4.sub (v128.load ${add(P("a"), get("at"))})
          (i32x4.add (i32x4.splat ${get("top")}) (v128.const i32x4 0 2 4 6))))
        (local.set $c0 ${cell(c(0))}) (local.set $c1 ${cell(c(1))})
        (local.set $c2 ${cell(get("W"))}) (local.set $c3 ${cell(add(get("W"), c(1)))})
        ${set("y", add(P("y"), mul(get("top"), c(4))))}
        (v128.store offset=0 ${get("y")} ${interleave(true, "(local.get $c0)", "(local.get $c1)")})
        (v128.store offset=16 ${get("y")} ${interleave(false, "(local.get $c0)", "(local.get $c1)")})
        ${set("y", add(get("y"), mul(get("W"), c(4))))}
        (v128.store offset=0 ${get("y")} ${interleave(true, "(local.get $c2)", "(local.get $c3)")})
        (v128.store offset=16 ${get("y")} ${interleave(false, "(local.get $c2)", "(local.get $c3)")})`;
  return `;; MaxPool2d(2)'s gradient (demoKernels in scripts/wasm/gen-wat.mjs): x = gy, a = argmax, y = dx; items as pool_scatter's
(func $pool_scatter_2x2 (export "pool_scatter_2x2") (param $p i32) (param $item i32) (param $s i32)
  ${loc("pl", "end", "W", "OH", "OW", "plane", "oh", "ow", "i", "at", "top", "rowBase", "y", "t")}
  (local $g v128) (local $d v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
  ${set("W", P("inW"))} ${set("OH", P("outH"))} ${set("OW", P("outW"))}
  ${set("plane", mul(P("inH"), get("W")))}
  ${planeRange("pool_scatter_2x2")}
  (if ${K("pool_scatter_2x2", "fill")} (then
    (memory.fill ${add(P("y"), mul(mul(get("pl"), get("plane")), c(4)))} (i32.const 0)
      ${mul(mul(sub(get("end"), get("pl")), get("plane")), c(4))})))
  ${loop("pl", get("pl"), get("end"), loop("oh", c(0), get("OH"), `
    ${set("rowBase", add(mul(get("pl"), get("plane")), mul(mul(get("oh"), c(2)), get("W"))))}
    ${set("i", mul(add(mul(get("pl"), get("OH")), get("oh")), get("OW")))}
    ${loopWhole("ow", c(0), get("OW"), step(), 4)}
    ;; a row's last OW mod 4 windows: one more step over its last four (the overlap is stored twice
    ;; with the same values); rows of fewer than four windows one window at a time
    (if (i32.and (i32.lt_s ${get("ow")} ${get("OW")}) (i32.ge_s ${get("OW")} ${c(4)})) (then
      ${set("ow", sub(get("OW"), c(4)))}
      ${step()}
      ${set("ow", get("OW"))}))
    ${loop("ow", get("ow"), get("OW"), `
      ${set("at", mul(add(get("i"), get("ow")), c(4)))}
      ${set("top", add(get("rowBase"), mul(get("ow"), c(2))))}
      ${set("t", `(i32.load ${add(P("a"), get("at"))})`)}
      ;; the window's four cells: gy at its argmax, +0 at the others
      (f32.store ${add(P("y"), mul(get("top"), c(4)))} (f32.const 0))
      (f32.store ${add(P("y"), mul(add(get("top"), c(1)), c(4)))} (f32.const 0))
      (f32.store ${add(P("y"), mul(add(get("top"), get("W")), c(4)))} (f32.const 0))
      (f32.store ${add(P("y"), mul(add(add(get("top"), get("W")), c(1)), c(4)))} (f32.const 0))
      (f32.store ${add(P("y"), mul(get("t"), c(4)))} (f32.add (f32.load ${add(P("x"), get("at"))}) (f32.const 0)))`)}`))})`;
}

/** The whole module. `shared`: the memory is a shared one (the worker pool); the unshared build is
 * for hosts without SharedArrayBuffer (a browser page that is not cross-origin isolated). */
export function generateWat(shared = true, fma = false) {
  labelCounter = 0;
  FMA = fma;
  return `;; GENERATED by scripts/wasm/build-wasm.mjs from scripts/wasm/gen-wat.mjs: do not edit;
;; re-run: node scripts/wasm/build-wasm.mjs
(module
  (import "env" "memory" (memory 1 65536${shared ? " shared" : ""}))
${tileKernel()}
${commonWat()}
${biasKernel()}
${directKernels()}
${batchNormKernels()}
${winogradKernels()}
${winogradWgradKernels()}
${demoKernels()}
${batchNormForwardKernels()}
)
`;
}

// ---- issue 23 (i23-bn): batch norm's forward ----------------------------------------------------

/**
 * Training-mode batch norm's forward, one channel per item over its N runs of `inner` floats of x
 * (P x), in the order of the JS loops of src/backends/cpu/batch-norm.ts so that the bits are theirs:
 * - bn_stats: the mean, then the mean of squared deviations from it (two passes: the one-pass
 *   E[x^2] - E[x]^2 cancels when |mean| >> std; the channel, 128 KiB at [32, 32, 32, 32], is still
 *   in L2 for the second). Each sum in four float64 chains, element j of a run into chain j mod 4
 *   (f64x2 $A holds chains 0-1, $B 2-3), a run's scalar tail into chain 0, then (c0 + c1) + (c2 + c3):
 *   channelStats' accumulators exactly. Out: mean and biased variance at 0 and 8 of the channel's
 *   64 bytes of `table`.
 * - bn_fwd: y = (x - mean) scale + shift in float64, rounded once to float32 (P y); with `relu`,
 *   relu's select on the rounded value (kept where y > 0 or NaN, else +0: an and with the
 *   compare's bits), which equals the JS loop's (v + |v|) / 2 then rounding bit for bit (a v that
 *   rounds to -0 or +0 gives +0 both ways). In: mean, scale = invstd weight, shift at 0, 8, 16.
 */
function batchNormForwardKernels() {
  const tab = (i) => `offset=${i * 8} ${get("t")}`;
  const head = (kernel) => `
  ${set("ch", get("item"))} ${set("C", P("inC"))} ${set("N", P("batch"))} ${set("inner", K(kernel, "inner"))}
  ${set("bytes", mul(get("inner"), c(4)))} ${set("whole", mul(`(i32.and ${get("inner")} ${c(-4)})`, c(4)))}
  ${set("t", add(K(kernel, "table"), mul(get("ch"), c(64))))}`;
  const runs = (body) => loop("n", c(0), get("N"), `
    ${set("base", mul(mul(add(mul(get("n"), get("C")), get("ch")), get("inner")), c(4)))}
    ${set("xp", add(P("x"), get("base")))} ${set("yp", add(P("y"), get("base")))}
    ${body}`);
  /** chains A, B += f(lanes 0-1), f(lanes 2-3) of each four floats; the tail's f(x) into chain 0. */
  const chains = (f, fs) => runs(`
    ${loop("k", c(0), get("whole"), `
      (local.set $xv (v128.load ${add(get("xp"), get("k"))}))
      (local.set $A (f64x2.add (local.get $A) ${f(promote("(local.get $xv)", 0))}))
      (local.set $B (f64x2.add (local.get $B) ${f(promote("(local.get $xv)", 1))}))`, 16)}
    ${loop("k", get("whole"), get("bytes"), `
      (local.set $A (f64x2.replace_lane 0 (local.get $A) (f64.add (f64x2.extract_lane 0 (local.get $A))
        ${fs(`(f64.promote_f32 (f32.load ${add(get("xp"), get("k"))}))`)})))`, 4)}`);
  const total = `(f64.div (f64.add
    (f64.add (f64x2.extract_lane 0 (local.get $A)) (f64x2.extract_lane 1 (local.get $A)))
    (f64.add (f64x2.extract_lane 0 (local.get $B)) (f64x2.extract_lane 1 (local.get $B)))) (local.get $cnt))`;
  const squareV = (v) => `(f64x2.mul (local.tee $dv (f64x2.sub ${v} (local.get $mv))) (local.get $dv))`;
  const squareS = (v) => `(f64.mul (local.tee $d (f64.sub ${v} (local.get $m))) (local.get $d))`;
  const stats = `;; Batch norm's channel statistics, one channel per item (batchNormForwardKernels in gen-wat.mjs)
(func $bn_stats (export "bn_stats") (param $p i32) (param $item i32) (param $s i32)
  ${loc("ch", "n", "k", "C", "N", "inner", "base", "xp", "yp", "whole", "bytes", "t")}
  (local $m f64) (local $d f64) (local $cnt f64)
  (local $A v128) (local $B v128) (local $xv v128) (local $mv v128) (local $dv v128)
  ${head("bn_stats")}
  (local.set $cnt (f64.convert_i32_s ${mul(get("N"), get("inner"))}))
  ${chains((v) => v, (v) => v)}
  (local.set $m ${total})
  (f64.store ${tab(0)} (local.get $m))
  (local.set $mv (f64x2.splat (local.get $m)))
  (local.set $A (v128.const i64x2 0 0)) (local.set $B (v128.const i64x2 0 0))
  ${chains(squareV, squareS)}
  (f64.store ${tab(1)} ${total}))`;
  const affine = (half) =>
    `(f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.sub ${promote("(local.get $xv)", half)} (local.get $mv)) (local.get $sv)) (local.get $bv)))`;
  const reluV = (v) =>
    `(v128.and (local.tee $yv ${v}) (v128.or (f32x4.gt (local.get $yv) (v128.const f32x4 0 0 0 0)) (f32x4.ne (local.get $yv) (local.get $yv))))`;
  const reluS = (v) =>
    `(select (local.tee $ys ${v}) (f32.const 0) (i32.or (f32.gt (local.get $ys) (f32.const 0)) (f32.ne (local.get $ys) (local.get $ys))))`;
  const normalise = (relu) => runs(`
    ${loop("k", c(0), get("whole"), `
      (local.set $xv (v128.load ${add(get("xp"), get("k"))}))
      (v128.store ${add(get("yp"), get("k"))} ${(relu ? reluV : (v) => v)(`(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${affine(0)} ${affine(1)})`)})`, 16)}
    ${loop("k", get("whole"), get("bytes"), `
      (f32.store ${add(get("yp"), get("k"))} ${(relu ? reluS : (v) => v)(`(f32.demote_f64 (f64.add (f64.mul
        (f64.sub (f64.promote_f32 (f32.load ${add(get("xp"), get("k"))})) (local.get $m)) (local.get $sc)) (local.get $b)))`)})`, 4)}`);
  const fwd = `;; Batch norm's normalise-and-affine (and relu), one channel per item (batchNormForwardKernels in gen-wat.mjs)
(func $bn_fwd (export "bn_fwd") (param $p i32) (param $item i32) (param $s i32)
  ${loc("ch", "n", "k", "C", "N", "inner", "base", "xp", "yp", "whole", "bytes", "t")}
  (local $m f64) (local $sc f64) (local $b f64) (local $ys f32)
  (local $xv v128) (local $mv v128) (local $sv v128) (local $bv v128) (local $yv v128)
  ${head("bn_fwd")}
  (local.set $m (f64.load ${tab(0)})) (local.set $sc (f64.load ${tab(1)})) (local.set $b (f64.load ${tab(2)}))
  (local.set $mv (f64x2.splat (local.get $m))) (local.set $sv (f64x2.splat (local.get $sc))) (local.set $bv (f64x2.splat (local.get $b)))
  (if ${K("bn_fwd", "relu")} (then ${normalise(true)}) (else ${normalise(false)})))`;
  return `${stats}

${fwd}`;
}
