// Netwright's elementwise and reduction kernels for wasm over its heap (kernels.wat): Adam's step,
// sums and means over the leading axes, per-channel arithmetic, ReLU's gradient, Unpack, Identity.
// Registered by wasm-simd.ts; checked in wasm-simd.test.ts.
import type { Tf } from './backends'
import { leadingAxes } from './wasm-heap-kernels'
import { at, on, size, type Info, type KernelFunc } from './wasm-simd-core'

export { RELU_GRAD_KERNEL, RELU_GRAD_SUM_KERNEL } from './kernel-names'

/** One Adam step: inputs g, m, v, w and the scalars d1 = 1 − beta1^t, d2 = 1 − beta2^t; out m', v', w'. */
export const adamKernel: KernelFunc = ({ inputs, backend, attrs }) => {
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

/**
 * A sum (a bias's gradient) or mean (BatchNormalization's, over batch and positions) over the
 * leading axes, four columns a vector, summed in float64 as the JavaScript heap kernel sums them,
 * then rounded (a mean divided first); else `original` (the heap kernel for Sum; wasm's own Mean,
 * which moves the axes last first: 10 ms for [64, 32, 32, 32]).
 */
export function leadingReduction(tf: Tf, kind: 'sum' | 'mean', original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info }
    const leading = leadingAxes(tf, x, args.attrs)
    if (
      x.dtype !== 'float32' ||
      !leading ||
      leading.cols % 4 !== 0 ||
      leading.cols === 0 ||
      leading.rows === 0
    )
      return original(args)
    const { rows, cols } = leading
    const { backend } = args
    const out = backend.makeOutput(leading.outShape, 'float32')
    const acc = backend.makeOutput([cols * 2], 'float32')
    try {
      on(backend).kernels.columnSum(at(backend, x), at(backend, out), at(backend, acc), rows, cols)
      if (kind === 'mean') {
        const sums = new Float64Array(backend.typedArrayFromHeap(acc).buffer, at(backend, acc), cols)
        const dst = backend.typedArrayFromHeap(out)
        for (let c = 0; c < cols; c++) dst[c] = sums[c]! / rows
      }
    } finally {
      backend.disposeData(acc.dataId)
    }
    return out
  }
}

/** The rowOp codes of kernels.wat, for x op row and for row op x. */
export const ROW_OPS = { Add: [0, 0], Sub: [1, 2], Multiply: [3, 3], RealDiv: [4, 5] } as const

/**
 * a op b where one of them is a row along the other's last axis (1s before it: a bias, a channel's
 * mean or scale), four columns a vector; else wasm's own (which runs such a broadcast ~6× slower).
 */
export function rowOp(name: keyof typeof ROW_OPS, original: KernelFunc): KernelFunc {
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
 * Unpack (tf.unstack: an RNN takes its input step by step) by copying rows over the heap. wasm's own
 * runs a Slice per output: 100 ms for the IMDB template's [64, 200, 32] at every step.
 */
export const unpack: KernelFunc = ({ inputs, backend, attrs }) => {
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

/** The kernel ReLU's gradient runs on wasm (RELU_GRAD_KERNEL): dy · step(x) in one pass. */
export const reluGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as { dy: Info; x: Info }
  const out = backend.makeOutput(x.shape as number[], 'float32')
  const n = size(x)
  if (n > 0) on(backend).kernels.reluGrad(at(backend, dy), at(backend, x), at(backend, out), n * 4)
  return out
}

/**
 * ReLU's gradient from the layer's output y and, in the same pass, its sum over every axis but the
 * last (the bias's gradient): [dy · step(y), Σ]. y's last axis a multiple of 4 (the caller checks).
 */
export const reluGradSum: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as { dy: Info; x: Info }
  const shape = x.shape as number[]
  const cols = shape[shape.length - 1]!
  const rows = cols ? size(x) / cols : 0
  const out = backend.makeOutput(shape, 'float32')
  const sum = backend.makeOutput([cols], 'float32')
  const acc = backend.makeOutput([cols * 2], 'float32')
  try {
    on(backend).kernels.reluGradSum(
      at(backend, dy),
      at(backend, x),
      at(backend, out),
      at(backend, acc),
      at(backend, sum),
      rows,
      cols,
    )
  } finally {
    backend.disposeData(acc.dataId)
  }
  return [out, sum]
}

/** Identity without a copy (wasm's copies every byte), as the cpu backend does it: one more reference. */
export const identity: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: Info }
  backend.incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype } as Info
}
