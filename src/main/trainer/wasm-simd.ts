// Netwright's WebAssembly SIMD kernels for tfjs-backend-wasm, registered over wasm's own (each falls
// back to the kernel it replaces where it does not apply). The modules import the backend's own
// memory (wasm-simd-core.ts), so they work on tensors where wasm keeps them. Measured on the bench's
// models, one thread, batch 128 unless said:
//   - the matrix product (BatchMatMul, _FusedMatMul; here) with relaxed SIMD's fused multiply-add
//     where the runtime has it and wasm runs single-threaded: 1.4-1.5× XNNPACK's on the MLP's
//     products, transposed operands read as stored, subnormal numbers flushed (the LSTM's products
//     were ~8× slower on them); a product with a short side (a Dense layer into few classes and its
//     gradients) by kernels-products.wat's narrow kernels, not the gemm's 8-column panels of padding (the
//     CNN's 5408 → 3 layer: 4 → 1.9 ms a step);
//   - NetwrightAdam, one Adam step a variable in one pass (tfjs's eleven kernels took 3.2 ms of a
//     14 ms MLP step), and ReLU's gradient in one pass (wasm-simd-ops.ts);
//   - Conv2D's filter gradient as products (26 → 5 ms for the CNN) and MaxPool's gradient four
//     channels a vector (17 → 3.5 ms) (wasm-simd-conv.ts);
//   - per-channel arithmetic, sums and means over the leading axes (bias and BatchNormalization:
//     wasm's own moves axes first), Unpack (an RNN's input) and Identity without copies
//     (wasm-simd-ops.ts).
// Each is checked against the cpu backend in wasm-simd.test.ts.
import type { Tf } from './backends'
import { ADAM_KERNEL } from './adam'
import { lastTwoSwapped } from './wasm-kernels'
import { conv2DBackpropFilter, maxPoolGrad } from './wasm-simd-conv'
import {
  at,
  hasRelaxedSimd,
  memoryOf,
  on,
  runGemm,
  size,
  type Info,
  type KernelFunc,
  type WasmBackend,
} from './wasm-simd-core'
import {
  adamKernel,
  identity,
  leadingReduction,
  RELU_GRAD_KERNEL,
  RELU_GRAD_SUM_KERNEL,
  reluGrad,
  reluGradSum,
  ROW_OPS,
  rowOp,
  unpack,
} from './wasm-simd-ops'

export { hasRelaxedSimd, RELU_GRAD_KERNEL, RELU_GRAD_SUM_KERNEL }

/** The kernels of wasm's this module calls. */
interface Parts {
  transpose: KernelFunc
  original: KernelFunc
}

/** Swaps the last two axes of x with wasm's Transpose; the caller disposes the result. */
function swapLast(parts: Parts, backend: WasmBackend, x: Info): Info {
  return parts.transpose({ inputs: { x }, backend, attrs: { perm: lastTwoSwapped(x.shape.length) } }) as Info
}

/**
 * BatchMatMul and _FusedMatMul with our gemm where it applies (float32, a bias along the output's
 * columns, no activation but relu), else wasm's own (`original`, with wasm-kernels.ts's transposing
 * wrapper). Transposed operands are read as they are stored (the gemm packs them); a
 * product with fewer than 8 columns (a Dense layer into few classes, and its weight gradient) is
 * taken as its transpose, bᵀ·aᵀ, which has many.
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
    // Fewer than 8 columns and 8 rows or more: the transpose bᵀ·aᵀ (a Dense layer into few classes,
    // and its weight gradient), the bias and relu applied after; else b and the bias padded to 8
    // columns with zeros. (Without a batch, kernels-products.wat's narrow kernels take most of these.)
    const swapped = N < 8 && M >= 8
    const padded = N < 8 && !swapped
    if (
      !lead ||
      K !== K2 ||
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
      if (batch === 1 && (N < 8 || K < 8)) {
        const out = narrow(parts, backend, a, b, { M, K, N, lead, transposeA, transposeB, relu }, bias, keep)
        if (out) return out
      }
      if (K < 8) return original(args)
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
        const out = swapLast(parts, backend, outT)
        if (bias || relu) {
          const c = backend.typedArrayFromHeap(out)
          const row = bias ? backend.typedArrayFromHeap(bias) : null
          for (let i = 0; i < c.length; i++) {
            const v = row ? c[i]! + row[i % N]! : c[i]!
            // f32.max's NaN and -0 (the gemm's relu): Math.max is the same.
            c[i] = relu ? Math.max(v, 0) : v
          }
        }
        return out
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
 * A product with a short side and no batch by kernels-products.wat's narrow kernels: into fewer than 8
 * columns (a Dense layer into few classes: a·b, and its weight gradient aᵀ·g as the transpose gᵀ·a,
 * summed over a's rows) or over fewer than 8 (that layer's input gradient g·bᵀ). Null where none
 * applies.
 */
function narrow(
  parts: Parts,
  backend: WasmBackend,
  a: Info,
  b: Info,
  d: {
    M: number
    K: number
    N: number
    lead: number[]
    transposeA?: boolean
    transposeB?: boolean
    relu: boolean
  },
  bias: Info | undefined,
  keep: (t: Info) => Info,
): Info | null {
  const { M, K, N, lead, transposeA, transposeB, relu } = d
  const k = on(backend).kernels
  const empty = M === 0 || N === 0
  /** out [M×N] from a's rows and `right` by a kernel that takes the bias and relu itself. */
  const rowsOf = (kernel: 'narrowDot' | 'narrowCombine', right: Info) => {
    const out = backend.makeOutput([...lead, M, N], 'float32')
    if (!empty)
      k[kernel](
        at(backend, a),
        at(backend, right),
        bias ? at(backend, bias) : 0,
        at(backend, out),
        M,
        K,
        N,
        +relu,
      )
    return out
  }
  // b's columns as rows: bᵀ [N×K], as b is stored when transposed.
  if (N < 8 && !transposeA) return rowsOf('narrowDot', transposeB ? b : keep(swapLast(parts, backend, b)))
  if (N < 8 && transposeA && !transposeB && !bias && !relu) {
    // a stored [K×M], b [K×N]: (aᵀ·b)ᵀ = Σ over k of b[k, :]ᵀ · a[k, :].
    const outT = keep(backend.makeOutput([...lead, N, M], 'float32'))
    if (!empty) k.narrowUpdate(at(backend, a), at(backend, b), at(backend, outT), K, N, M)
    return swapLast(parts, backend, outT)
  }
  // op(b) as rows [K×N]: b as stored, or its transpose.
  if (K < 8 && !transposeA) return rowsOf('narrowCombine', transposeB ? keep(swapLast(parts, backend, b)) : b)
  return null
}

const done = new WeakSet<object>()
const OURS = Symbol.for('netwright-simd-kernel')

/** Whether wasm runs this module's kernel for `name` (tests check it stays in place). */
export const isSimdKernel = (tf: Tf, name: string): boolean =>
  !!(tf.getKernel(name, 'wasm')?.kernelFunc as { [OURS]?: true } | undefined)?.[OURS]

/**
 * Registers NetwrightAdam, the one-pass ReLU gradient (and ReLU's gradient function that uses it)
 * and NetwrightReluGradSum (fused-layers.ts's) for wasm, and puts ours over wasm's MaxPoolGrad, Sum, Mean, the per-channel Add, Sub, Multiply and
 * RealDiv, Unpack and Identity; where the runtime has relaxed SIMD, also over BatchMatMul,
 * _FusedMatMul and Conv2DBackpropFilter. Call after registerWasmGradients and
 * registerWasmHeapKernels: each falls back to the kernel registered before it. Once per tfjs.
 */
export function registerWasmSimdKernels(tf: Tf): void {
  // Only on a backend whose memory they can import (the caller has just started wasm).
  if (done.has(tf) || tf.getBackend() !== 'wasm' || !memoryOf(tf.backend())) return
  done.add(tf)
  if (!tf.getKernel(ADAM_KERNEL, 'wasm'))
    tf.registerKernel({
      kernelName: ADAM_KERNEL,
      backendName: 'wasm',
      kernelFunc: Object.assign(adamKernel, { [OURS]: true }) as never,
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
  // (fused-layers.ts's gradient runs it for a layer with relu: the activation's and bias's gradients.)
  if (!tf.getKernel(RELU_GRAD_SUM_KERNEL, 'wasm'))
    tf.registerKernel({
      kernelName: RELU_GRAD_SUM_KERNEL,
      backendName: 'wasm',
      kernelFunc: Object.assign(reluGradSum, { [OURS]: true }) as never,
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
  replace('Sum', (original) => leadingReduction(tf, 'sum', original))
  for (const name of Object.keys(ROW_OPS) as (keyof typeof ROW_OPS)[])
    replace(name, (original) => rowOp(name, original))
  replace('Mean', (original) => leadingReduction(tf, 'mean', original))
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
