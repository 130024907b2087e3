// Netwright's WebAssembly SIMD kernels (kernels.wat, gemm.wat) registered for tfjs-backend-wasm.
// Each module imports the backend's own memory, so it works on tensors where wasm keeps them.
//   - NetwrightAdam: one Adam step for a variable in one pass (tfjs's Adam is eleven kernels, each a
//     pass over the weights and a new buffer: 3.2 ms of a 14 ms MLP step for 400k weights).
//   - the matrix product (BatchMatMul, _FusedMatMul) with relaxed SIMD's fused multiply-add, where
//     the runtime has it and wasm runs single-threaded (XNNPACK's threads are faster from 2 up).
// Each is checked against tfjs in wasm-simd.test.ts.
import { setFlagsFromString } from 'node:v8'
import type { Tf } from './backends'
import { ADAM_KERNEL } from './adam'
import { GEMM_WASM, KERNELS_SHARED_WASM, KERNELS_WASM } from './kernels-wasm'

type Info = import('@tensorflow/tfjs').TensorInfo
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): Info
  typedArrayFromHeap(info: Info): Float32Array
  disposeData(dataId: object): void
  incRef(dataId: object): void
  wasm: { asm: { memory: WebAssembly.Memory } }
}
type KernelFunc = (args: {
  inputs: Record<string, Info>
  backend: WasmBackend
  attrs: Record<string, unknown>
}) => Info | Info[]

interface Kernels {
  adam(...args: number[]): void
  maxPoolGrad(...args: number[]): void
  columnSum(...args: number[]): void
  rowOp(...args: number[]): void
  reluGrad(...args: number[]): void
}
interface Gemm {
  gemm(...args: number[]): void
}

const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, 'base64'))
let relaxed: boolean | undefined

/** Whether this runtime compiles relaxed SIMD (Node 20 behind a V8 flag, which we set; Node 22 on). */
export function hasRelaxedSimd(): boolean {
  if (relaxed === undefined) {
    const gemm = bytes(GEMM_WASM)
    if (!WebAssembly.validate(gemm)) setFlagsFromString('--experimental-wasm-relaxed-simd')
    relaxed = WebAssembly.validate(gemm)
  }
  return relaxed
}

/** The modules instantiated on a backend's memory, once per memory. */
const instances = new WeakMap<WebAssembly.Memory, { kernels: Kernels; gemm: Gemm | null }>()
function on(backend: WasmBackend) {
  const memory = backend.wasm.asm.memory
  let got = instances.get(memory)
  if (!got) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer
    const make = <T>(b64: string) =>
      new WebAssembly.Instance(new WebAssembly.Module(bytes(b64)), { env: { memory } })
        .exports as unknown as T
    got = {
      kernels: make<Kernels>(shared ? KERNELS_SHARED_WASM : KERNELS_WASM),
      gemm: !shared && hasRelaxedSimd() ? make<Gemm>(GEMM_WASM) : null,
    }
    instances.set(memory, got)
  }
  return got
}

/** Where a tensor's bytes start in the heap (views are taken after every allocation). */
const at = (backend: WasmBackend, t: Info) => backend.typedArrayFromHeap(t).byteOffset
const size = (t: Info) => (t.shape as number[]).reduce((a, b) => a * b, 1)

/** One Adam step: inputs g, m, v, w and the scalars d1 = 1 − beta1^t, d2 = 1 − beta2^t; out m', v', w'. */
const adam: KernelFunc = ({ inputs, backend, attrs }) => {
  const { g, m, v, w, d1, d2 } = inputs as Record<'g' | 'm' | 'v' | 'w' | 'd1' | 'd2', Info>
  const { beta1, beta2, epsilon, learningRate } = attrs as Record<
    'beta1' | 'beta2' | 'epsilon' | 'learningRate',
    number
  >
  const outs = [m, v, w].map((t) => backend.makeOutput(t.shape as number[], 'float32'))
  const n = size(w)
  if (n > 0)
    on(backend).kernels.adam(
      at(backend, g),
      at(backend, m),
      at(backend, v),
      at(backend, w),
      ...outs.map((o) => at(backend, o)),
      n * 4,
      // Each scalar as tfjs makes it: a float32 tensor from the JavaScript number.
      Math.fround(beta1),
      Math.fround(1 - beta1),
      Math.fround(beta2),
      Math.fround(1 - beta2),
      backend.typedArrayFromHeap(d1)[0]!,
      backend.typedArrayFromHeap(d2)[0]!,
      Math.fround(epsilon),
      Math.fround(-learningRate),
    )
  return outs
}

/** The kernels of wasm's this module calls. */
interface Parts {
  transpose: KernelFunc
  original: KernelFunc
}

/** Swaps the last two axes of x with wasm's Transpose; the caller disposes the result. */
function swapLast(parts: Parts, backend: WasmBackend, x: Info): Info {
  const rank = x.shape.length
  const perm = Array.from({ length: rank }, (_, i) =>
    i < rank - 2 ? i : i === rank - 2 ? rank - 1 : rank - 2,
  )
  return parts.transpose({ inputs: { x }, backend, attrs: { perm } }) as Info
}

/** The k block of scripts/gemm-wat.mjs (KC): its packA scratch holds M rows of it. */
const KC = 256

/** Scratch for one gemm call: b's panel block and a's block. The caller disposes them. */
const packs = (backend: WasmBackend, M: number, K: number) => [
  backend.makeOutput([Math.min(K, KC) * 8], 'float32'),
  backend.makeOutput([Math.max(1, M * Math.min(K, KC))], 'float32'),
]

/**
 * One call of the gemm per batch entry: c = start + op(a)·op(b), op(a) [ba×M×K] (stored [ba×K×M]
 * when ta), op(b) [bb×K×N] (stored [bb×N×K] when tb); a batch of 1 broadcasts.
 */
function runGemm(
  gemm: Gemm,
  backend: WasmBackend,
  a: { t: Info; transposed: boolean },
  b: { t: Info; transposed: boolean },
  out: Info,
  d: { batch: number; ba: number; bb: number; M: number; K: number; N: number },
  bias: Info | null,
  relu: boolean,
): void {
  const { batch, ba, bb, M, K, N } = d
  const scratch = packs(backend, M, K)
  try {
    const [pa, pb, pc, pB, pA] = [a.t, b.t, out, ...scratch].map((t) => at(backend, t)) as number[]
    for (let i = 0; i < batch; i++)
      gemm.gemm(
        pa! + (ba === 1 ? 0 : i * M * K * 4),
        pb! + (bb === 1 ? 0 : i * K * N * 4),
        pc! + i * M * N * 4,
        bias ? at(backend, bias) : 0,
        pB!,
        pA!,
        M,
        K,
        N,
        bias ? 1 : 0,
        relu ? 1 : 0,
        a.transposed ? 1 : 0,
        b.transposed ? 1 : 0,
        a.transposed ? M : K,
        b.transposed ? K : N,
      )
  } finally {
    for (const t of scratch) backend.disposeData(t.dataId)
  }
}

/**
 * BatchMatMul and _FusedMatMul with our gemm where it applies (float32, a bias along the output's
 * columns, no activation but relu), else wasm's own (`original`, with wasm-kernels.ts's transposing
 * wrapper). Transposed operands are read as they are stored (the gemm packs them); a
 * product with fewer than 8 columns and no bias (a Dense layer's weight gradient into few classes)
 * is taken as its transpose, bᵀ·aᵀ, which has many.
 */
function matMul(parts: Parts): KernelFunc {
  const { original } = parts
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, Info | undefined>
    const { transposeA, transposeB, activation } = args.attrs as {
      transposeA?: boolean
      transposeB?: boolean
      activation?: string
    }
    const gemm = on(args.backend).gemm
    if (
      !gemm ||
      !a ||
      !b ||
      preluActivationWeights ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      (activation && activation !== 'linear' && activation !== 'relu') ||
      a.shape.length < 2 ||
      b.shape.length < 2
    )
      return original(args)
    const last2 = (t: Info, swap?: boolean) => {
      const [r, c] = (t.shape as number[]).slice(-2) as [number, number]
      return (swap ? [c, r] : [r, c]) as [number, number]
    }
    const [M, K] = last2(a, transposeA)
    const [K2, N] = last2(b, transposeB)
    const leadA = (a.shape as number[]).slice(0, -2)
    const leadB = (b.shape as number[]).slice(0, -2)
    const ba = leadA.reduce((x, y) => x * y, 1)
    const bb = leadB.reduce((x, y) => x * y, 1)
    // The batch dimensions: the same on both sides, or all 1 on one (as BatchMatMul broadcasts them).
    const lead =
      leadA.length === leadB.length && leadA.every((d, i) => d === leadB[i])
        ? leadA
        : bb === 1 && leadB.length <= leadA.length
          ? leadA
          : ba === 1 && leadA.length <= leadB.length
            ? leadB
            : null
    const width = bias ? size(bias) : 0
    // Fewer than 8 columns: with no bias or activation, the transpose bᵀ·aᵀ (a Dense layer's weight
    // gradient into few classes has many rows); else b and the bias padded to 8 columns with zeros.
    const swapped = N < 8 && M >= 8 && !bias && activation !== 'relu'
    const padded = N < 8 && !swapped
    if (
      !lead ||
      K !== K2 ||
      K < 8 ||
      (swapped && M < 8) ||
      (bias &&
        (bias.dtype !== 'float32' ||
          width !== N ||
          (bias.shape as number[]).slice(0, -1).some((d) => d !== 1)))
    )
      return original(args)
    const backend = args.backend
    const batch = Math.max(ba, bb)
    const temps: Info[] = []
    const keep = (t: Info) => (temps.push(t), t)
    const plain = (t: Info, transposed: boolean) => (transposed ? keep(swapLast(parts, backend, t)) : t)
    const relu = activation === 'relu'
    try {
      if (swapped) {
        // cᵀ = bᵀ·aᵀ: b (as it is stored, transposed or not) becomes the left operand.
        const outT = keep(backend.makeOutput([...lead, N, M], 'float32'))
        if (M > 0 && N > 0)
          runGemm(
            gemm,
            backend,
            { t: b, transposed: !transposeB },
            { t: a, transposed: !transposeA },
            outT,
            { batch, ba: bb, bb: ba, M: N, K, N: M },
            null,
            false,
          )
        return swapLast(parts, backend, outT)
      }
      const out = backend.makeOutput([...lead, M, N], 'float32')
      if (M === 0 || N === 0) return out
      const left = { t: a, transposed: !!transposeA }
      if (!padded) {
        const right = { t: b, transposed: !!transposeB }
        runGemm(gemm, backend, left, right, out, { batch, ba, bb, M, K, N }, bias ?? null, relu)
        return out
      }
      const right = plain(b, !!transposeB)
      const wideB = keep(backend.makeOutput([bb, K, 8], 'float32'))
      const wideOut = keep(backend.makeOutput([batch, M, 8], 'float32'))
      const wideBias = bias ? keep(backend.makeOutput([8], 'float32')) : null
      // Views taken after the allocations (they can grow, and so move, the heap).
      const from = backend.typedArrayFromHeap(right)
      const to = backend.typedArrayFromHeap(wideB)
      to.fill(0)
      for (let r = 0; r < bb * K; r++) to.set(from.subarray(r * N, r * N + N), r * 8)
      if (wideBias && bias) {
        const wb = backend.typedArrayFromHeap(wideBias)
        wb.fill(0)
        wb.set(backend.typedArrayFromHeap(bias))
      }
      runGemm(
        gemm,
        backend,
        left,
        { t: wideB, transposed: false },
        wideOut,
        { batch, ba, bb, M, K, N: 8 },
        wideBias,
        relu,
      )
      const wide = backend.typedArrayFromHeap(wideOut)
      const dst = backend.typedArrayFromHeap(out)
      for (let r = 0; r < batch * M; r++) dst.set(wide.subarray(r * 8, r * 8 + N), r * N)
      return out
    } finally {
      for (const t of temps) backend.disposeData(t.dataId)
    }
  }
}

/**
 * MaxPool's gradient over the wasm heap, four channels a vector, when the channels come in fours
 * (else the heap kernel in JavaScript, `original`); the same windows, ties and order of additions.
 */
function maxPoolGrad(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: Info; input: Info }
    const C = (input.shape as number[])[3]!
    if (input.dtype !== 'float32' || input.shape.length !== 4 || C % 4 !== 0) return original(args)
    const { attrs, backend } = args
    const c = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize as [number, number],
      attrs.strides as [number, number],
      1,
      attrs.pad as 'valid',
      attrs.dimRoundingMode as 'floor' | undefined,
    )
    const dx = backend.makeOutput(input.shape as number[], 'float32')
    backend.typedArrayFromHeap(dx).fill(0)
    if (size(dx) > 0 && size(dy) > 0)
      on(backend).kernels.maxPoolGrad(
        at(backend, input),
        at(backend, dy),
        at(backend, dx),
        c.batchSize,
        c.inHeight,
        c.inWidth,
        C,
        c.outHeight,
        c.outWidth,
        c.effectiveFilterHeight,
        c.effectiveFilterWidth,
        c.strideHeight,
        c.strideWidth,
        c.dilationHeight,
        c.dilationWidth,
        c.padInfo.top,
        c.padInfo.left,
      )
    return dx
  }
}

/** Positions a chunk of the filter gradient's sum covers: its patches stay about 4 MB. */
const chunkOf = (rows: number) => Math.max(64, Math.floor((1 << 20) / rows))

/**
 * Conv2D's filter gradient as a product: dW[(kh, kw, ci), co] = Σ over positions p of
 * patch[p, (kh, kw, ci)] · dy[p, co], with p over batch × output rows × columns. The patches are laid
 * out transposed ([kh·kw·ci, p], a chunk of positions at a time) so that dy's rows, as wasm keeps
 * them, are the right operand; the chunks' products add up in dW. (wasm ran this as one convolution
 * with dy as the filter: 26 ms for the bench's CNN, batch 128; this is ~3 ms.)
 */
function conv2DBackpropFilter(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: Info; dy: Info }
    const { backend, attrs } = args
    const gemm = on(backend).gemm
    const dataFormat = attrs.dataFormat as string | undefined
    if (!gemm || x.dtype !== 'float32' || (dataFormat && dataFormat !== 'NHWC')) return original(args)
    const filterShape = attrs.filterShape as [number, number, number, number]
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      attrs.strides as [number, number],
      1,
      attrs.pad as 'same',
      attrs.dimRoundingMode as 'floor' | undefined,
      false,
      'channelsLast',
    )
    const [kh, kw, cin, cout] = filterShape
    const { batchSize: B, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info
    const { strideHeight: sh, strideWidth: sw } = info
    const { top, left } = info.padInfo
    const rows = kh * kw * cin
    const positions = B * OH * OW
    if (cout < 8 || rows === 0) return original(args)
    const dw = backend.makeOutput(filterShape, 'float32')
    if (positions === 0) {
      backend.typedArrayFromHeap(dw).fill(0)
      return dw
    }
    if (cin >= 8) {
      shifted(gemm, backend, { x, dy, dw }, info, filterShape)
      return dw
    }
    const chunk = Math.min(positions, chunkOf(rows))
    const patches = backend.makeOutput([rows, chunk], 'float32')
    const scratch = packs(backend, rows, chunk)
    try {
      for (let p0 = 0; p0 < positions; p0 += chunk) {
        const n = Math.min(chunk, positions - p0)
        // Views taken after the allocations (they can grow, and so move, the heap).
        const xs = backend.typedArrayFromHeap(x)
        const out = backend.typedArrayFromHeap(patches)
        for (let r = 0; r < rows; r++) {
          const fy = Math.floor(r / (kw * cin))
          const fx = Math.floor(r / cin) % kw
          const ci = r % cin
          const to = r * n
          // A run of positions along one output row at a time.
          for (let q = 0, p = p0; q < n;) {
            const b = Math.floor(p / (OH * OW))
            const ox0 = p % OW
            const run = Math.min(OW - ox0, n - q)
            const iy = (Math.floor(p / OW) % OH) * sh + fy - top
            if (iy < 0 || iy >= H) out.fill(0, to + q, to + q + run)
            else {
              const base = (b * H + iy) * W
              for (let k = 0; k < run; k++) {
                const ix = (ox0 + k) * sw + fx - left
                out[to + q + k] = ix >= 0 && ix < W ? xs[(base + ix) * cin + ci]! : 0
              }
            }
            q += run
            p += run
          }
        }
        gemm.gemm(
          at(backend, patches),
          at(backend, dy) + p0 * cout * 4,
          at(backend, dw),
          0,
          at(backend, scratch[0]!),
          at(backend, scratch[1]!),
          rows,
          n,
          cout,
          p0 === 0 ? 0 : 2,
          0,
          0,
          0,
          n,
          cout,
        )
      }
    } finally {
      backend.disposeData(patches.dataId)
      for (const t of scratch) backend.disposeData(t.dataId)
    }
    return dw
  }
}

/**
 * The filter gradient with many input channels: for each filter offset (fy, fx),
 * dW[fy, fx] = Σ over positions p of x[p shifted by (fy, fx)]ᵀ · dy[p], a [cin × cout] product whose
 * left operand is x's channel rows at the shifted positions (copied a run of an output row at a
 * time: whole rows of channels, not one number at a time) read as stored transposed.
 */
function shifted(
  gemm: Gemm,
  backend: WasmBackend,
  t: { x: Info; dy: Info; dw: Info },
  info: import('@tensorflow/tfjs').backend_util.Conv2DInfo,
  [kh, kw, cin, cout]: [number, number, number, number],
): void {
  const { batchSize: B, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info
  const { strideHeight: sh, strideWidth: sw } = info
  const { top, left } = info.padInfo
  const positions = B * OH * OW
  // About 256 KB of rows at a time (the L2 cache's share), 64 positions at least.
  const chunk = Math.min(positions, Math.max(64, Math.floor((1 << 16) / cin)))
  const rowsOf = backend.makeOutput([chunk, cin], 'float32')
  const scratch = packs(backend, cin, chunk)
  try {
    for (let p0 = 0; p0 < positions; p0 += chunk) {
      const n = Math.min(chunk, positions - p0)
      for (let fy = 0; fy < kh; fy++)
        for (let fx = 0; fx < kw; fx++) {
          // Views taken after the allocations (they can grow, and so move, the heap).
          const xs = backend.typedArrayFromHeap(t.x)
          const out = backend.typedArrayFromHeap(rowsOf)
          for (let q = 0, p = p0; q < n;) {
            const b = Math.floor(p / (OH * OW))
            const ox0 = p % OW
            const run = Math.min(OW - ox0, n - q)
            const iy = (Math.floor(p / OW) % OH) * sh + fy - top
            const to = q * cin
            if (iy < 0 || iy >= H) out.fill(0, to, to + run * cin)
            else {
              const base = (b * H + iy) * W
              // The output columns whose input column lies inside x: [lo, hi) of this run.
              const lo = Math.min(run, Math.max(0, Math.ceil((left - fx) / sw) - ox0))
              const hi = Math.max(lo, Math.min(run, Math.ceil((W + left - fx) / sw) - ox0))
              out.fill(0, to, to + lo * cin)
              out.fill(0, to + hi * cin, to + run * cin)
              if (sw === 1) {
                const from = (base + ox0 + lo + fx - left) * cin
                out.set(xs.subarray(from, from + (hi - lo) * cin), to + lo * cin)
              } else
                for (let k = lo; k < hi; k++) {
                  const from = (base + (ox0 + k) * sw + fx - left) * cin
                  out.set(xs.subarray(from, from + cin), to + k * cin)
                }
            }
            q += run
            p += run
          }
          gemm.gemm(
            at(backend, rowsOf),
            at(backend, t.dy) + p0 * cout * 4,
            at(backend, t.dw) + (fy * kw + fx) * cin * cout * 4,
            0,
            at(backend, scratch[0]!),
            at(backend, scratch[1]!),
            cin,
            n,
            cout,
            p0 === 0 ? 0 : 2,
            0,
            1,
            0,
            cin,
            cout,
          )
        }
    }
  } finally {
    backend.disposeData(rowsOf.dataId)
    for (const s of scratch) backend.disposeData(s.dataId)
  }
}

/**
 * A sum over the leading axes (a bias's gradient) with four columns a vector, in float64 as the
 * JavaScript heap kernel (`original`, which takes every other case) sums them.
 */
function sum(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info }
    const shape = x.shape as number[]
    const axes = tf.util
      .parseAxisParam(args.attrs.axis as number | number[], shape)
      .slice()
      .sort((p, q) => p - q)
    const leading = axes.length > 0 && axes.length < shape.length && axes.every((ax, i) => ax === i)
    const kept = shape.slice(axes.length)
    const cols = kept.reduce((p, q) => p * q, 1)
    if (x.dtype !== 'float32' || !leading || cols % 4 !== 0 || cols === 0) return original(args)
    const rows = shape.slice(0, axes.length).reduce((p, q) => p * q, 1)
    const { backend } = args
    const out = backend.makeOutput(args.attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32')
    const acc = backend.makeOutput([cols * 2], 'float32')
    try {
      on(backend).kernels.columnSum(at(backend, x), at(backend, out), at(backend, acc), rows, cols)
    } finally {
      backend.disposeData(acc.dataId)
    }
    return out
  }
}

/** The rowOp codes of kernels.wat, for x op row and for row op x. */
const ROW_OPS = { Add: [0, 0], Sub: [1, 2], Multiply: [3, 3], RealDiv: [4, 5] } as const

/**
 * a op b where one of them is a row along the other's last axis (1s before it: a bias, a channel's
 * mean or scale), four columns a vector; else wasm's own (which runs such a broadcast ~6× slower).
 */
function rowOp(name: keyof typeof ROW_OPS, original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: Info; b: Info }
    const isRow = (row: Info, x: Info) =>
      row.shape.length >= 1 &&
      row.shape.length <= x.shape.length &&
      (row.shape as number[]).slice(0, -1).every((d) => d === 1) &&
      row.shape[row.shape.length - 1] === x.shape[x.shape.length - 1]
    const rowIsB = isRow(b, a)
    const [x, row] = rowIsB ? [a, b] : isRow(a, b) ? [b, a] : [null, null]
    if (!x || !row || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args)
    const cols = size(row)
    const n = size(x)
    // A row as long as x is an ordinary elementwise operation; wasm's own is as fast there.
    if (cols % 4 !== 0 || cols === 0 || n === cols) return original(args)
    const { backend } = args
    const out = backend.makeOutput(x.shape as number[], 'float32')
    const op = ROW_OPS[name][rowIsB ? 0 : 1]
    on(backend).kernels.rowOp(at(backend, x), at(backend, row), at(backend, out), n / cols, cols, op)
    return out
  }
}

/**
 * A mean over the leading axes (BatchNormalization's, over batch and positions) as the sum above,
 * divided in float64 and rounded once; else wasm's own (which moves the axes last first: 10 ms for
 * [64, 32, 32, 32]).
 */
function mean(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info }
    const shape = x.shape as number[]
    const axes = tf.util
      .parseAxisParam(args.attrs.axis as number | number[], shape)
      .slice()
      .sort((p, q) => p - q)
    const leading = axes.length > 0 && axes.length < shape.length && axes.every((ax, i) => ax === i)
    const kept = shape.slice(axes.length)
    const cols = kept.reduce((p, q) => p * q, 1)
    const rows = shape.slice(0, axes.length).reduce((p, q) => p * q, 1)
    if (x.dtype !== 'float32' || !leading || cols % 4 !== 0 || cols === 0 || rows === 0) return original(args)
    const { backend } = args
    const out = backend.makeOutput(args.attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32')
    const acc = backend.makeOutput([cols * 2], 'float32')
    try {
      on(backend).kernels.columnSum(at(backend, x), at(backend, out), at(backend, acc), rows, cols)
      const sums = new Float64Array(backend.typedArrayFromHeap(acc).buffer, at(backend, acc), cols)
      const dst = backend.typedArrayFromHeap(out)
      for (let c = 0; c < cols; c++) dst[c] = sums[c]! / rows
    } finally {
      backend.disposeData(acc.dataId)
    }
    return out
  }
}

/**
 * Unpack (tf.unstack: an RNN takes its input step by step) by copying rows over the heap. wasm's own
 * runs a Slice per output: 100 ms for the IMDB template's [64, 200, 32] at every step.
 */
const unpack: KernelFunc = ({ inputs, backend, attrs }) => {
  const { value } = inputs as { value: Info }
  const shape = value.shape as number[]
  const axis = (((attrs.axis as number) ?? 0) + shape.length) % shape.length
  const n = shape[axis]!
  const outer = shape.slice(0, axis).reduce((p, q) => p * q, 1)
  const inner = shape.slice(axis + 1).reduce((p, q) => p * q, 1)
  const outShape = shape.filter((_, i) => i !== axis)
  const outs = Array.from({ length: n }, () => backend.makeOutput(outShape, value.dtype))
  // Views taken after the allocations (they can grow, and so move, the heap).
  const from = backend.typedArrayFromHeap(value)
  for (let i = 0; i < n; i++) {
    const to = backend.typedArrayFromHeap(outs[i]!)
    for (let o = 0; o < outer; o++) {
      const src = (o * n + i) * inner
      to.set(from.subarray(src, src + inner), o * inner)
    }
  }
  return outs
}

/** The kernel ReLU's gradient runs on wasm: dy · step(x) in one pass (tfjs: Step, Cast, Multiply). */
export const RELU_GRAD_KERNEL = 'NetwrightReluGrad'
const reluGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as { dy: Info; x: Info }
  const out = backend.makeOutput(x.shape as number[], 'float32')
  const n = size(x)
  if (n > 0) on(backend).kernels.reluGrad(at(backend, dy), at(backend, x), at(backend, out), n * 4)
  return out
}

/** Identity without a copy (wasm's copies every byte), as the cpu backend does it: one more reference. */
const identity: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: Info }
  backend.incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype } as Info
}

const done = new WeakSet<object>()
const OURS = Symbol.for('netwright-simd-kernel')

/** Whether wasm runs this module's kernel for `name` (tests check it stays in place). */
export const isSimdKernel = (tf: Tf, name: string): boolean =>
  !!(tf.getKernel(name, 'wasm')?.kernelFunc as { [OURS]?: true } | undefined)?.[OURS]

/**
 * Registers NetwrightAdam for wasm and puts ours over wasm's BatchMatMul, _FusedMatMul,
 * MaxPoolGrad and Conv2DBackpropFilter (call after registerWasmGradients and
 * registerWasmHeapKernels: each falls back to the kernel registered before it). Once per tfjs.
 */
export function registerWasmSimdKernels(tf: Tf): void {
  if (done.has(tf)) return
  done.add(tf)
  if (!tf.getKernel(ADAM_KERNEL, 'wasm'))
    tf.registerKernel({
      kernelName: ADAM_KERNEL,
      backendName: 'wasm',
      kernelFunc: Object.assign(adam, { [OURS]: true }) as never,
    })
  const replace = (name: string, make: (original: KernelFunc) => KernelFunc) => {
    const config = tf.getKernel(name, 'wasm')
    if (!config) return
    const original = config.kernelFunc as unknown as KernelFunc
    const ours = make(original)
    // The marks the kernel under it carries (wasm-kernels.ts's and wasm-heap-kernels.ts's), so that
    // their registering again (a second backend start) sees its kernel in place and wraps nothing.
    for (const mark of Object.getOwnPropertySymbols(original))
      (ours as unknown as Record<symbol, unknown>)[mark] = (original as unknown as Record<symbol, unknown>)[
        mark
      ]
    ;(ours as unknown as Record<symbol, unknown>)[OURS] = true
    tf.unregisterKernel(name, 'wasm')
    tf.registerKernel({ ...config, kernelFunc: ours as never })
  }
  if (!tf.getKernel(RELU_GRAD_KERNEL, 'wasm'))
    tf.registerKernel({
      kernelName: RELU_GRAD_KERNEL,
      backendName: 'wasm',
      kernelFunc: Object.assign(reluGrad, { [OURS]: true }) as never,
    })
  // ReLU's gradient (tfjs registers one for every backend) takes the one-pass kernel where the
  // backend has it, float32 both; anywhere else, tfjs's own.
  const relu = tf.getGradient('Relu')
  if (relu && !(relu as { [OURS]?: true })[OURS])
    tf.registerGradient({
      ...relu,
      [OURS]: true,
      gradFunc: ((dy, saved, attrs) => {
        const [x] = saved as [import('@tensorflow/tfjs').Tensor]
        const dyT = dy as import('@tensorflow/tfjs').Tensor
        if (
          !tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) ||
          x.dtype !== 'float32' ||
          dyT.dtype !== 'float32'
        )
          return relu.gradFunc(dy, saved, attrs)
        return {
          x: () =>
            tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dyT, x }) as import('@tensorflow/tfjs').Tensor,
        }
      }) as import('@tensorflow/tfjs').GradConfig['gradFunc'],
    } as never)
  replace('MaxPoolGrad', (original) => maxPoolGrad(tf, original))
  replace('Sum', (original) => sum(tf, original))
  for (const name of Object.keys(ROW_OPS) as (keyof typeof ROW_OPS)[])
    replace(name, (original) => rowOp(name, original))
  replace('Mean', (original) => mean(tf, original))
  replace('Unpack', (original) => (args) => {
    const dtype = args.inputs.value?.dtype
    return dtype === 'float32' || dtype === 'int32' ? unpack(args) : original(args)
  })
  replace(
    'Identity',
    (original) => (args) => (args.inputs.x?.dtype === 'string' ? original(args) : identity(args)),
  )
  if (!hasRelaxedSimd()) return
  const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc as unknown as KernelFunc
  for (const name of ['BatchMatMul', '_FusedMatMul'])
    replace(name, (original) => matMul({ transpose, original }))
  replace('Conv2DBackpropFilter', (original) => conv2DBackpropFilter(tf, original))
}
