// Dense and Conv2D that stay fused in training. tfjs's fused ops (product or convolution, bias and
// activation in one kernel) fall back to separate kernels whenever a gradient is being recorded and the
// activation is not linear (tfjs-core's `shouldFuse`), so every Dense and Conv2D with relu trains as
// three kernels forward (product, Add, Relu) and more backward. These layers, registered under the
// Keras names in place of tfjs's, run the fused kernel itself (`_FusedMatMul`, `FusedConv2D`, which
// every backend has) and give it the gradient tfjs-core lacks: relu's gradient from the saved output,
// then the two products (or the two convolution gradients) and the bias's sum, each computed only for
// an input that needs it (a first layer's input gradient is never computed). The CNN's conv layer goes
// from Conv2D + Add + Relu (three passes over its 11 MB output) to one. Layers these do not cover
// (another activation is applied after the fused linear kernel; dilation, channels-first or a
// non-float input take tfjs's own path) build and serialize exactly as tfjs's do.
import type { Tf } from './backends'
// (Names only: this module is bundled into the hidden trainer window, where the wasm modules are not.)
import { RELU_GRAD_KERNEL, RELU_GRAD_SUM_KERNEL } from './kernel-names'

type Tensor = import('@tensorflow/tfjs').Tensor
type Kwargs = Record<string, unknown>
type GradConfig = import('@tensorflow/tfjs').GradConfig

const registered = new WeakSet<object>()
const OURS = Symbol.for('netwright-fused-gradient')

/** The activations the fused kernels apply themselves and this module knows the gradient of. */
const FUSED = new Set(['linear', 'relu'])

/**
 * The gradient through the activation, dy · [y > 0] for relu (from its output) or dy for linear, and
 * the bias's: that summed over every axis but the last (the layers' biases are rank 1). On wasm,
 * relu's two come from one pass (NetwrightReluGradSum) where the last axis is a multiple of 4.
 */
function activationGradients(
  tf: Tf,
  dy: Tensor,
  y: Tensor,
  activation: string,
): { dy: Tensor; bias: () => Tensor } {
  const sum = (d: Tensor) => () =>
    tf.sum(
      d,
      Array.from({ length: d.rank - 1 }, (_, i) => i),
    )
  if (activation === 'linear') return { dy, bias: sum(dy) }
  if (activation !== 'relu') throw new Error(`No gradient for the fused activation ${activation}.`)
  const backend = tf.getBackend()
  const floats = dy.dtype === 'float32' && y.dtype === 'float32'
  // y > 0 exactly where relu's input was > 0, so the one-pass kernels take y for x.
  if (floats && y.shape[y.rank - 1]! % 4 === 0 && tf.getKernel(RELU_GRAD_SUM_KERNEL, backend)) {
    const [d, b] = tf.engine().runKernel(RELU_GRAD_SUM_KERNEL, { dy, x: y }) as Tensor[]
    return { dy: d!, bias: () => b! }
  }
  const d =
    floats && tf.getKernel(RELU_GRAD_KERNEL, backend)
      ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x: y }) as Tensor)
      : tf.mul(dy, tf.step(y))
  return { dy: d, bias: sum(d) }
}

/**
 * The gradients of `FusedConv2D` and `_FusedMatMul` with a linear or relu activation (tfjs-core
 * registers none: its fused ops take theirs from a custom gradient that computes every input's).
 */
function registerFusedGradients(tf: Tf): void {
  /** Registers `gradFunc` for the kernel (once: a second registering finds ours in place). */
  const register = (
    kernelName: string,
    inputsToSave: string[],
    gradFunc: (dy: Tensor, saved: Tensor[], attrs: Record<string, unknown>) => Record<string, () => Tensor>,
  ) => {
    if ((tf.getGradient(kernelName) as { [OURS]?: true } | undefined)?.[OURS]) return
    tf.registerGradient({
      kernelName,
      inputsToSave,
      outputsToSave: [true],
      gradFunc: gradFunc as unknown as GradConfig['gradFunc'],
      [OURS]: true,
    } as GradConfig)
  }
  register('FusedConv2D', ['x', 'filter'], (dy, saved, attrs) => {
    const [x, filter, y] = saved as [Tensor, Tensor, Tensor]
    const { strides, pad, dimRoundingMode, activation } = attrs as {
      strides: [number, number]
      pad: unknown
      dimRoundingMode?: string
      activation: string
    }
    const { dy: dyA, bias } = activationGradients(tf, dy, y, activation)
    const conv = { strides, pad, dataFormat: 'NHWC', dimRoundingMode }
    return {
      x: () =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: dyA, filter }, {
          ...conv,
          inputShape: x.shape,
        } as never) as Tensor,
      filter: () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dyA }, {
          ...conv,
          filterShape: filter.shape,
        } as never) as Tensor,
      // (Asked for only where the kernel had a bias.)
      bias,
    }
  })
  register('_FusedMatMul', ['a', 'b'], (dy, saved, attrs) => {
    const [a, b, y] = saved as [Tensor, Tensor, Tensor]
    const { transposeA, transposeB, activation } = attrs as {
      transposeA: boolean
      transposeB: boolean
      activation: string
    }
    const { dy: d, bias } = activationGradients(tf, dy, y, activation)
    // c = op(a)·op(b): tfjs-core's fused product's own four cases.
    const [da, db] = !transposeA
      ? !transposeB
        ? [() => tf.matMul(d, b, false, true), () => tf.matMul(a, d, true, false)]
        : [() => tf.matMul(d, b, false, false), () => tf.matMul(d, a, true, false)]
      : !transposeB
        ? [() => tf.matMul(b, d, false, true), () => tf.matMul(a, d, false, false)]
        : [() => tf.matMul(b, d, true, true), () => tf.matMul(d, a, true, true)]
    return { a: da, b: db, bias }
  })
}

/** What the layers use of tfjs's Dense and Conv2D, which tfjs does not export as classes. */
interface Internals {
  kernel: LayerVariable
  bias: LayerVariable | null
  activation: { getClassName(): string; apply(t: Tensor): Tensor | Tensor[] }
}
type Layer = import('@tensorflow/tfjs').layers.Layer
type LayerClass<T> = new (args: object) => Layer & Internals & T
type LayerVariable = import('@tensorflow/tfjs').LayerVariable

/**
 * Registers the fused Dense and Conv2D (and their kernels' gradients) for this tfjs, once. They
 * serialize under Keras's names with tfjs's configs, so a saved or exported model is unchanged.
 */
export function registerFusedLayers(tf: Tf): void {
  if (registered.has(tf.serialization)) return
  registered.add(tf.serialization)
  registerFusedGradients(tf)
  const TfDense = tf.layers.dense({ units: 1 }).constructor as LayerClass<{
    invokeCallHook(inputs: Tensor | Tensor[], kwargs: Kwargs): void
  }>
  const TfConv2D = tf.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as LayerClass<{
    strides: number[]
    padding: string
    dataFormat: string
    dilationRate: number | number[]
  }>
  const activationOf = (layer: Internals): string => layer.activation.getClassName()

  class Dense extends TfDense {
    static className = 'Dense'
    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor
      if ((Array.isArray(inputs) && inputs.length !== 1) || x.dtype !== 'float32' || x.rank < 2)
        return super.call(inputs, kwargs)
      return tf.tidy(() => {
        this.invokeCallHook(inputs, kwargs)
        const activation = activationOf(this)
        const fused = FUSED.has(activation)
        const kernel = this.kernel.read() as Tensor
        const [k, units] = kernel.shape as [number, number]
        const lead = x.shape.slice(0, -1)
        const rows = lead.reduce((p, q) => p * q, 1)
        // As rank-3 operands, the way tfjs-core's fused product hands them to the kernel.
        const inputs3 = {
          a: tf.reshape(x, [1, rows, k]),
          b: tf.reshape(kernel, [1, k, units]),
          ...(this.bias ? { bias: this.bias.read() as Tensor } : {}),
        }
        const out = tf.engine().runKernel('_FusedMatMul', inputs3, {
          transposeA: false,
          transposeB: false,
          activation: fused ? activation : 'linear',
        } as never) as Tensor
        const y = tf.reshape(out, [...lead, units])
        return fused ? y : (this.activation.apply(y) as Tensor)
      })
    }
  }

  class Conv2D extends TfConv2D {
    static className = 'Conv2D'
    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor
      const dilations = (
        typeof this.dilationRate === 'number' ? [this.dilationRate, this.dilationRate] : this.dilationRate
      ) as number[]
      if (
        (Array.isArray(inputs) && inputs.length !== 1) ||
        x.dtype !== 'float32' ||
        x.rank !== 4 ||
        this.dataFormat !== 'channelsLast' ||
        dilations.some((d) => d !== 1)
      )
        return super.call(inputs, kwargs)
      return tf.tidy(() => {
        const activation = activationOf(this)
        const fused = FUSED.has(activation)
        const y = tf.engine().runKernel(
          'FusedConv2D',
          {
            x,
            filter: this.kernel.read() as Tensor,
            ...(this.bias ? { bias: this.bias.read() as Tensor } : {}),
          },
          {
            strides: this.strides,
            pad: this.padding === 'same' ? 'same' : 'valid',
            dataFormat: 'NHWC',
            dilations: [1, 1],
            activation: fused ? activation : 'linear',
          } as never,
        ) as Tensor
        return fused ? y : (this.activation.apply(y) as Tensor)
      })
    }
  }

  tf.serialization.registerClass(Dense as never)
  tf.serialization.registerClass(Conv2D as never)
}
