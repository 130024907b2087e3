// Gradient kernels that tfjs-backend-wasm 4.22 lacks, written with the kernels it has, so that
// convolutional models train on wasm instead of falling back to the much slower cpu backend.
import type { Tf } from './backends'

type Info = import('@tensorflow/tfjs').TensorInfo
type Backend = {
  disposeData(dataId: object): void
  write(values: Float32Array, shape: number[], dtype: 'float32'): object
}
type KernelFunc = (args: {
  inputs: Record<string, Info>
  backend: Backend
  attrs: Record<string, unknown>
}) => Info

/** The permutation that swaps the last two axes of a tensor of this rank (a rank-1 one stays). */
export const lastTwoSwapped = (rank: number): number[] =>
  Array.from({ length: rank }, (_, i) =>
    i < rank - 2 ? i : rank === 1 ? 0 : i === rank - 2 ? rank - 1 : rank - 2,
  )

/** Conv2D's geometry for its filter gradient, from the kernel's x and attributes (NHWC). */
export function filterGradInfo(tf: Tf, x: Info, attrs: Record<string, unknown>) {
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  )
}

/**
 * Registers the missing kernels for the wasm backend (those already registered are left as they are). Each one is
 * checked against the cpu backend's own kernel in wasm-kernels.test.ts.
 */
export function registerWasmGradients(tf: Tf): void {
  const kernel = (name: string): KernelFunc => {
    const k = tf.getKernel(name, 'wasm')
    if (!k) throw new Error(`The wasm backend has no ${name} kernel.`)
    return k.kernelFunc as unknown as KernelFunc
  }
  const transpose = kernel('Transpose')
  const pad = kernel('PadV2')
  const slice = kernel('Slice')
  const conv2d = kernel('Conv2D')

  /**
   * dW[kh, kw, ci, co] = Σ over batch and output positions of x[b, i·s + kh, j·s + kw, ci] · dy[b, i, j, co].
   * That is a convolution of x (channels as the batch, the batch as channels) with dy as the
   * filter, dilated by the forward stride: one wasm Conv2D over transposed tensors.
   */
  const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: Info; dy: Info }
    const filterShape = attrs.filterShape as [number, number, number, number]
    const info = filterGradInfo(tf, x, attrs)
    const [kh, kw, cin, cout] = filterShape
    const [, h, w] = x.shape as number[]
    const { top, left } = info.padInfo
    const needH = (info.outHeight - 1) * info.strideHeight + kh
    const needW = (info.outWidth - 1) * info.strideWidth + kw
    const temps: Info[] = []
    const keep = (t: Info) => (temps.push(t), t)
    try {
      const padded = keep(
        pad({
          inputs: { x },
          backend,
          attrs: {
            paddings: [
              [0, 0],
              [top, Math.max(0, needH - h! - top)],
              [left, Math.max(0, needW - w! - left)],
              [0, 0],
            ],
            constantValue: 0,
          },
        }),
      )
      const xt = keep(transpose({ inputs: { x: padded }, backend, attrs: { perm: [3, 1, 2, 0] } }))
      const dyt = keep(transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }))
      const full = keep(
        conv2d({
          inputs: { x: xt, filter: dyt },
          backend,
          attrs: {
            strides: [1, 1],
            pad: 'valid',
            dataFormat: 'NHWC',
            dilations: [info.strideHeight, info.strideWidth],
          },
        }),
      )
      const cut = keep(
        slice({ inputs: { x: full }, backend, attrs: { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] } }),
      )
      return transpose({ inputs: { x: cut }, backend, attrs: { perm: [1, 2, 0, 3] } })
    } finally {
      for (const t of temps) backend.disposeData(t.dataId)
    }
  }

  const reshape = kernel('Reshape')

  const multiply = kernel('Multiply')
  const sum = kernel('Sum')
  const conv2dBackpropInput = kernel('Conv2DBackpropInput')

  /** A [1, 1, C, C, 1] identity, to spread a depthwise filter into a block-diagonal full one and back. */
  const eye = (backend: Backend, c: number): Info => {
    const v = new Float32Array(c * c)
    for (let i = 0; i < c; i++) v[i * c + i] = 1
    const shape = [1, 1, c, c, 1]
    return { dataId: backend.write(v, shape, 'float32'), shape, dtype: 'float32' } as Info
  }

  /**
   * A depthwise convolution is a full convolution whose filter is block-diagonal: input channel c only
   * feeds outputs c·M … c·M+M-1. So its gradients are the full convolution's, through that filter.
   */
  const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: Info; filter: Info }
    const [kh, kw, c, m] = filter.shape as [number, number, number, number]
    const temps: Info[] = []
    const keep = (t: Info) => (temps.push(t), t)
    try {
      const f5 = keep(reshape({ inputs: { x: filter }, backend, attrs: { shape: [kh, kw, c, 1, m] } }))
      const spread = keep(multiply({ inputs: { a: f5, b: keep(eye(backend, c)) }, backend, attrs: {} }))
      const full = keep(reshape({ inputs: { x: spread }, backend, attrs: { shape: [kh, kw, c, c * m] } }))
      return conv2dBackpropInput({
        inputs: { dy, filter: full },
        backend,
        attrs: {
          strides: attrs.strides,
          pad: attrs.pad,
          dataFormat: 'NHWC',
          dimRoundingMode: attrs.dimRoundingMode,
          inputShape: attrs.inputShape,
        },
      })
    } finally {
      for (const t of temps) backend.disposeData(t.dataId)
    }
  }

  const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: Info; dy: Info }
    const [kh, kw, c, m] = attrs.filterShape as [number, number, number, number]
    const temps: Info[] = []
    const keep = (t: Info) => (temps.push(t), t)
    try {
      const full = keep(
        conv2DBackpropFilter({
          inputs: { x, dy },
          backend,
          attrs: { ...attrs, filterShape: [kh, kw, c, c * m] },
        }),
      )
      const g5 = keep(reshape({ inputs: { x: full }, backend, attrs: { shape: [kh, kw, c, c, m] } }))
      const diagonal = keep(multiply({ inputs: { a: g5, b: keep(eye(backend, c)) }, backend, attrs: {} }))
      return sum({ inputs: { x: diagonal }, backend, attrs: { axis: [3], keepDims: false } })
    } finally {
      for (const t of temps) backend.disposeData(t.dataId)
    }
  }

  const ours: Record<string, KernelFunc> = {
    Conv2DBackpropFilter: conv2DBackpropFilter,
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
    DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  }
  for (const [kernelName, kernelFunc] of Object.entries(ours))
    if (!tf.getKernel(kernelName, 'wasm'))
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as never })
  registerFastTransposedMatMul(tf)
}

/** Marks a kernel function as ours, so registering twice (a second backend probe) wraps once. */
const WRAPPED = Symbol.for('netwright-wrapped')

/**
 * tfjs-backend-wasm 4.22's BatchMatMul (and _FusedMatMul) is fast without transposes and 10-15
 * times slower with them: for 128×784 · 784×512, a·b takes 6 ms, aᵀ·g 93 ms and g·bᵀ 78 ms, while
 * transposing first and multiplying takes 6-7 ms. Training needs exactly those transposed products
 * (every Dense layer's backward pass), so the kernels are wrapped: a transposed operand is transposed
 * explicitly by wasm's Transpose kernel, then the product is taken without transposes.
 */
function registerFastTransposedMatMul(tf: Tf): void {
  const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc as unknown as KernelFunc | undefined
  if (!transpose) return
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const config = tf.getKernel(name, 'wasm')
    if (!config || (config.kernelFunc as { [WRAPPED]?: true })[WRAPPED]) continue
    const original = config.kernelFunc as unknown as KernelFunc
    const wrapped: KernelFunc = (args) => {
      const { transposeA, transposeB } = args.attrs as { transposeA?: boolean; transposeB?: boolean }
      if (!transposeA && !transposeB) return original(args)
      const temps: Info[] = []
      const swapLast = (x: Info): Info => {
        const perm = lastTwoSwapped(x.shape.length)
        const t = transpose({ inputs: { x }, backend: args.backend, attrs: { perm } })
        temps.push(t)
        return t
      }
      try {
        const { a, b } = args.inputs as { a: Info; b: Info }
        return original({
          ...args,
          inputs: { ...args.inputs, a: transposeA ? swapLast(a) : a, b: transposeB ? swapLast(b) : b },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        })
      } finally {
        for (const t of temps) args.backend.disposeData(t.dataId)
      }
    }
    ;(wrapped as unknown as { [WRAPPED]: true })[WRAPPED] = true
    tf.unregisterKernel(name, 'wasm')
    tf.registerKernel({ ...config, kernelFunc: wrapped as never })
  }
}
