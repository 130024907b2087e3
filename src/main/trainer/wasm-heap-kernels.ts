// Kernels for the wasm backend over the wasm heap, where tfjs-backend-wasm 4.22's own are slow for
// what training asks of them (profiled on a CNN step, batch 128, Conv2D 32 3×3 → MaxPool 2×2 →
// Dense: MaxPoolGrad 69 ms and the bias gradient's Sum 18 ms of 166 ms). Each reads its inputs where
// wasm keeps them and writes its output there; each is checked against the cpu backend in
// wasm-kernels.test.ts.
import type { Tf } from './backends'

type Info = import('@tensorflow/tfjs').TensorInfo
/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): Info
  typedArrayFromHeap(info: Info): Float32Array
  disposeData(dataId: object): void
}
type KernelFunc = (args: {
  inputs: Record<string, Info>
  backend: WasmBackend
  attrs: Record<string, unknown>
}) => Info

const MARK = Symbol.for('netwright-heap-kernel')

/** Whether wasm runs our heap kernel for `name` (tests check that the replacement is in place). */
export const isHeapKernel = (tf: Tf, name: string): boolean =>
  !!(tf.getKernel(name, 'wasm')?.kernelFunc as { [MARK]?: true } | undefined)?.[MARK]

/** MaxPool's window geometry from a kernel's input and attributes (its gradient kernels share it). */
export function poolInfo(tf: Tf, input: Info, attrs: Record<string, unknown>) {
  return tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
  )
}

/**
 * A reduction over x's leading axes (a bias's gradient, BatchNormalization's mean) as rows × cols:
 * the rows summed away, the columns kept, and the output's shape; null for any other axes.
 */
export function leadingAxes(
  tf: Tf,
  x: Info,
  attrs: Record<string, unknown>,
): { rows: number; cols: number; outShape: number[] } | null {
  const shape = x.shape as number[]
  const axes = tf.util
    .parseAxisParam(attrs.axis as number | number[], shape)
    .slice()
    .sort((a, b) => a - b)
  if (!(axes.length > 0 && axes.length < shape.length && axes.every((a, i) => a === i))) return null
  const kept = shape.slice(axes.length)
  return {
    rows: shape.slice(0, axes.length).reduce((a, b) => a * b, 1),
    cols: kept.reduce((a, b) => a * b, 1),
    outShape: attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept,
  }
}

/**
 * MaxPool's gradient: each window's first maximum (row-major, as the cpu backend picks it) takes the
 * window's incoming gradient. One pass over the output positions.
 */
function maxPoolGrad(tf: Tf): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: Info; input: Info }
    const c = poolInfo(tf, input, attrs)
    const dx = backend.makeOutput(input.shape as number[], 'float32')
    // Views taken after the allocation (it can grow, and so move, the heap).
    const x = backend.typedArrayFromHeap(input)
    const g = backend.typedArrayFromHeap(dy)
    const out = backend.typedArrayFromHeap(dx)
    out.fill(0)
    const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = c
    const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = c
    const top = c.padInfo.top
    const left = c.padInfo.left
    // Per window, every channel at once: the inner loops run along memory.
    const best = new Float32Array(C)
    const at = new Int32Array(C)
    for (let b = 0; b < batchSize; b++)
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * sh - top
        for (let ow = 0; ow < OW; ow++) {
          const w0 = ow * sw - left
          best.fill(-Infinity)
          at.fill(-1)
          for (let kh = 0; kh < fh; kh += dh) {
            const h = h0 + kh
            if (h < 0 || h >= H) continue
            const row = (b * H + h) * W
            for (let kw = 0; kw < fw; kw += dw) {
              const w = w0 + kw
              if (w < 0 || w >= W) continue
              const base = (row + w) * C
              for (let ch = 0; ch < C; ch++) {
                const v = x[base + ch]!
                if (v > best[ch]!) {
                  best[ch] = v
                  at[ch] = base + ch
                }
              }
            }
          }
          const gi = ((b * OH + oh) * OW + ow) * C
          for (let ch = 0; ch < C; ch++) if (at[ch]! >= 0) out[at[ch]!]! += g[gi + ch]!
        }
      }
    return dx
  }
}

/**
 * Sum over the leading axes (a bias's gradient sums dy over batch and positions) in one pass over x,
 * row by row, into float64 sums. wasm's own Sum moves the summed axes last first (a transpose of all
 * of dy: 15-18 ms for [128, 26, 26, 32]); a ones·x product avoided that but makes XNNPACK repack x, a
 * new tensor every step (~20 ms); this takes ~7 ms. Other reductions go to wasm's Sum.
 */
function sum(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info }
    const leading = leadingAxes(tf, x, args.attrs)
    if (x.dtype !== 'float32' || !leading) return original(args)
    const { rows, cols } = leading
    const out = args.backend.makeOutput(leading.outShape, 'float32')
    // Views taken after the allocation (it can grow, and so move, the heap).
    const dst = args.backend.typedArrayFromHeap(out)
    const values = args.backend.typedArrayFromHeap(x)
    const sums = new Float64Array(cols)
    for (let r = 0; r < rows; r++) {
      const from = r * cols
      for (let c = 0; c < cols; c++) sums[c]! += values[from + c]!
    }
    dst.set(sums)
    return out
  }
}

/**
 * out[s, …] = Σ over i with segmentIds[i] = s of x[i, …]: Embedding's gradient (through Gather's),
 * which tfjs-backend-wasm 4.22 lacks. One pass over x, adding each row into its segment's row, in
 * index order; ids outside [0, numSegments) are dropped, as tfjs's cpu kernel drops them. (A one-hot
 * matrix product did this before: for the IMDB template, 12,800 ids into 10,000 segments, that was a
 * 512 MB one-hot and 6.5 s a step; this is about 1 ms.)
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: Info; segmentIds: Info }
  const segments = attrs.numSegments as number
  const n = (segmentIds.shape as number[]).reduce((a, b) => a * b, 1)
  const rest = (x.shape as number[]).slice(segmentIds.shape.length)
  const width = rest.reduce((a, b) => a * b, 1)
  const out = backend.makeOutput([segments, ...rest], 'float32')
  // Views taken after the allocation (it can grow, and so move, the heap).
  const sums = backend.typedArrayFromHeap(out)
  sums.fill(0)
  const values = backend.typedArrayFromHeap(x)
  const ids = backend.typedArrayFromHeap(segmentIds) as unknown as Int32Array
  for (let i = 0; i < n; i++) {
    const s = ids[i]!
    if (s < 0 || s >= segments) continue
    const to = s * width
    const from = i * width
    for (let j = 0; j < width; j++) sums[to + j]! += values[from + j]!
  }
  return out
}

/**
 * Tile by copying blocks: along each tiled axis, from the last, the sub-tensor below it is repeated
 * with one `set` a copy. wasm's own Tile (which BatchNormalization's gradient goes through) takes
 * ~140 ms for [64, 32, 32, 32]; this, a few ms.
 */
function tile(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info }
    const reps = args.attrs.reps as number[]
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || reps.length !== x.shape.length)
      return original(args)
    const dims = (x.shape as number[]).slice()
    const out = args.backend.makeOutput(
      dims.map((d, i) => d * reps[i]!),
      x.dtype,
    )
    // Views taken after the allocation (it can grow, and so move, the heap).
    const dst = args.backend.typedArrayFromHeap(out)
    let cur: Float32Array = args.backend.typedArrayFromHeap(x).slice()
    for (let axis = dims.length - 1; axis >= 0; axis--) {
      const r = reps[axis]!
      if (r === 1) continue
      const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1)
      const block = dims.slice(axis).reduce((a, b) => a * b, 1)
      const next = new (cur.constructor as Float32ArrayConstructor)(outer * block * r)
      for (let o = 0; o < outer; o++) {
        const part = cur.subarray(o * block, (o + 1) * block)
        for (let k = 0; k < r; k++) next.set(part, (o * r + k) * block)
      }
      cur = next
      dims[axis]! *= r
    }
    dst.set(cur)
    return out
  }
}

/**
 * Conv2D's input gradient at stride 1 as a forward convolution, which wasm runs through XNNPACK:
 * dx = conv(dy, the filter flipped in space with its channels swapped, padded by kernel − 1 − the
 * forward padding). wasm's own Conv2DBackpropInput takes ~880 ms for ShallowVGGNet's 64×32×32×32
 * layers at batch 64. Strides above 1 (the gradient needs dy spread out) stay with wasm's.
 */
function conv2DBackpropInput(
  tf: Tf,
  original: KernelFunc,
  k: { reverse: KernelFunc; transpose: KernelFunc; conv2D: KernelFunc },
): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info }
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as {
      strides: number | [number, number]
      pad:
        'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]]
      dataFormat?: string
      dimRoundingMode?: 'floor' | 'round' | 'ceil'
      inputShape: [number, number, number, number]
    }
    const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides
    if (sh !== 1 || sw !== 1 || (dataFormat && dataFormat !== 'NHWC')) return original(args)
    const [kh, kw] = filter.shape as [number, number, number, number]
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      1,
      1,
      pad,
      dimRoundingMode,
    )
    const top = kh - 1 - info.padInfo.top
    const left = kw - 1 - info.padInfo.left
    const bottom = inputShape[1] - dy.shape[1]! + kh - 1 - top
    const right = inputShape[2] - dy.shape[2]! + kw - 1 - left
    if (Math.min(top, left, bottom, right) < 0) return original(args)
    const { backend } = args
    const flipped = k.reverse({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } })
    const swapped = k.transpose({ inputs: { x: flipped }, backend, attrs: { perm: [0, 1, 3, 2] } })
    try {
      return k.conv2D({
        inputs: { x: dy, filter: swapped },
        backend,
        attrs: {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
        },
      })
    } finally {
      for (const t of [flipped, swapped]) backend.disposeData(t.dataId)
    }
  }
}

/**
 * Registers the heap kernels over wasm's own (once; a second backend probe leaves them). Called
 * after registerWasmGradients, whose BatchMatMul the filter gradient uses.
 */
export function registerWasmHeapKernels(tf: Tf): void {
  const replace = (name: string, make: (original: KernelFunc | undefined) => KernelFunc) => {
    const config = tf.getKernel(name, 'wasm')
    if (config && (config.kernelFunc as { [MARK]?: true })[MARK]) return
    const func = make(config?.kernelFunc as unknown as KernelFunc | undefined)
    ;(func as unknown as { [MARK]: true })[MARK] = true
    if (config) tf.unregisterKernel(name, 'wasm')
    tf.registerKernel({ ...(config ?? {}), kernelName: name, backendName: 'wasm', kernelFunc: func as never })
  }
  replace('MaxPoolGrad', () => maxPoolGrad(tf))
  replace('UnsortedSegmentSum', () => unsortedSegmentSum)
  replace('Tile', (original) => tile(original!))
  const kernelOf = (name: string) => tf.getKernel(name, 'wasm')!.kernelFunc as unknown as KernelFunc
  replace('Conv2DBackpropInput', (original) =>
    conv2DBackpropInput(tf, original!, {
      reverse: kernelOf('Reverse'),
      transpose: kernelOf('Transpose'),
      conv2D: kernelOf('Conv2D'),
    }),
  )
  replace('Sum', (original) => sum(tf, original!))
}
