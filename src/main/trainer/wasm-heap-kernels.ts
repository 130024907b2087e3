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

const MARK = Symbol('netwright-heap-kernel')

/**
 * MaxPool's gradient: each window's first maximum (row-major, as the cpu backend picks it) takes the
 * window's incoming gradient. One pass over the output positions.
 */
function maxPoolGrad(tf: Tf): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: Info; input: Info }
    const c = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize as [number, number],
      attrs.strides as [number, number],
      1,
      attrs.pad as 'valid',
      attrs.dimRoundingMode as 'floor' | undefined,
    )
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
 * Sum over the leading axes (a bias's gradient sums dy over batch and positions) as one matrix
 * product, ones[1, rows] · x[rows, cols], which wasm does with SIMD (a plain loop, or wasm's own Sum,
 * takes 15-18 ms for [128, 26, 26, 32]; this takes under 1 ms). Other reductions go to wasm's Sum.
 */
function sum(tf: Tf, original: KernelFunc, matMul: KernelFunc, reshape: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info }
    const shape = x.shape as number[]
    const axes = tf.util
      .parseAxisParam(args.attrs.axis as number | number[], shape)
      .slice()
      .sort((a, b) => a - b)
    const leading = axes.length > 0 && axes.length < shape.length && axes.every((a, i) => a === i)
    if (x.dtype !== 'float32' || !leading) return original(args)
    const rows = shape.slice(0, axes.length).reduce((a, b) => a * b, 1)
    const kept = shape.slice(axes.length)
    const cols = kept.reduce((a, b) => a * b, 1)
    const { backend } = args
    const ones = backend.makeOutput([1, rows], 'float32')
    backend.typedArrayFromHeap(ones).fill(1)
    const x2 = reshape({ inputs: { x }, backend, attrs: { shape: [rows, cols] } })
    const product = matMul({
      inputs: { a: ones, b: x2 },
      backend,
      attrs: { transposeA: false, transposeB: false },
    })
    try {
      return reshape({
        inputs: { x: product },
        backend,
        attrs: { shape: args.attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept },
      })
    } finally {
      for (const t of [ones, x2, product]) backend.disposeData(t.dataId)
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
  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc as unknown as KernelFunc
  replace('MaxPoolGrad', () => maxPoolGrad(tf))
  const reshape = tf.getKernel('Reshape', 'wasm')!.kernelFunc as unknown as KernelFunc
  replace('Sum', (original) => sum(tf, original!, matMul, reshape))
}
