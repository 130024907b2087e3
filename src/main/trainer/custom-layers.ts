// Keras layers that tfjs does not have, written as tfjs layers serialized under their Keras names, so a
// model that uses them builds from the same Keras config, trains, and exports as Keras expects.
import type { Tf } from './backends'
import { registerFusedLayers } from './fused-layers'

type Tensor = import('@tensorflow/tfjs').Tensor
type Shape = (number | null)[]

const registered = new WeakSet<object>()

export function registerCustomLayers(tf: Tf): void {
  if (registered.has(tf.serialization)) return
  registered.add(tf.serialization)

  /** keras.layers.Subtract: the first input minus the second. */
  class Subtract extends tf.layers.Layer {
    static className = 'Subtract'
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return (inputShape as Shape[])[0]!
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const [a, b] = inputs as Tensor[]
        return tf.sub(a!, b!)
      })
    }
  }
  tf.serialization.registerClass(Subtract)

  /**
   * keras.layers.ReLU with all of Keras's settings (tfjs's has max_value only):
   * f(x) = clip(x·[x > threshold], 0, max_value) − negative_slope·relu(threshold − x).
   */
  class ReLU extends tf.layers.Layer {
    static className = 'ReLU'
    readonly maxValue: number | null
    readonly negativeSlope: number
    readonly threshold: number
    constructor(args: {
      maxValue?: number | null
      negativeSlope?: number
      threshold?: number
      name?: string
    }) {
      super(args as never)
      this.maxValue = args.maxValue ?? null
      this.negativeSlope = args.negativeSlope ?? 0
      this.threshold = args.threshold ?? 0
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
      return inputShape
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs
        const t = this.threshold
        // (step, not greater: tfjs has a gradient for step, zero, and none for greater.)
        let y = t ? tf.mul(x, tf.step(tf.sub(x, t))) : tf.relu(x)
        if (this.maxValue !== null) y = tf.clipByValue(y, 0, this.maxValue)
        if (this.negativeSlope) y = tf.sub(y, tf.mul(this.negativeSlope, tf.relu(tf.sub(t, x))))
        return y
      })
    }
    override getConfig() {
      return {
        ...super.getConfig(),
        maxValue: this.maxValue,
        negativeSlope: this.negativeSlope,
        threshold: this.threshold,
      }
    }
  }
  tf.serialization.registerClass(ReLU)
  registerGru(tf)
  registerFusedLayers(tf)
}

/* eslint-disable @typescript-eslint/no-explicit-any -- tfjs exports no GRUCell or GRU class types */
/**
 * keras.layers.GRU with reset_after=True, Keras's default since 2.x: the reset gate applies after the
 * recurrent product, and input and recurrent biases are separate (bias of shape [2, 3·units]). tfjs's
 * GRUCell refuses reset_after, so this GRU (registered under Keras's name, in place of tfjs's) builds
 * its own cell for it and tfjs's for reset_after=False.
 */
function registerGru(tf: Tf): void {
  const TfGRUCell = tf.layers.gruCell({ units: 1 }).constructor as any
  const TfGRU = tf.layers.gru({ units: 1 }).constructor as any

  class ResetAfterGRUCell extends TfGRUCell {
    constructor(args: any) {
      super({ ...args, resetAfter: false })
      this.resetAfter = true
    }
    build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape
      const inputDim = shape[shape.length - 1] as number
      const u = this.units as number
      this.kernel = this.addWeight(
        'kernel',
        [inputDim, 3 * u],
        null,
        this.kernelInitializer,
        this.kernelRegularizer,
        true,
        this.kernelConstraint,
      )
      this.recurrentKernel = this.addWeight(
        'recurrent_kernel',
        [u, 3 * u],
        null,
        this.recurrentInitializer,
        this.recurrentRegularizer,
        true,
        this.recurrentConstraint,
      )
      this.bias = this.useBias
        ? this.addWeight(
            'bias',
            [2, 3 * u],
            null,
            this.biasInitializer,
            this.biasRegularizer,
            true,
            this.biasConstraint,
          )
        : null
      this.built = true
    }
    call(inputs: Tensor[]): Tensor[] {
      return tf.tidy(() => {
        const [x, hPrev] = inputs as [Tensor, Tensor]
        const u = this.units as number
        let matrixX = tf.matMul(x, this.kernel.read() as Tensor)
        let matrixInner = tf.matMul(hPrev, this.recurrentKernel.read() as Tensor)
        if (this.useBias) {
          const [inputBias, recurrentBias] = tf.unstack(this.bias.read() as Tensor)
          matrixX = tf.add(matrixX, inputBias!)
          matrixInner = tf.add(matrixInner, recurrentBias!)
        }
        const [xZ, xR, xH] = tf.split(matrixX, [u, u, u], -1)
        const [rZ, rR, rH] = tf.split(matrixInner, [u, u, u], -1)
        const z = this.recurrentActivation.apply(tf.add(xZ!, rZ!)) as Tensor
        const r = this.recurrentActivation.apply(tf.add(xR!, rR!)) as Tensor
        const hh = this.activation.apply(tf.add(xH!, tf.mul(r, rH!))) as Tensor
        const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), hh))
        return [h, h]
      })
    }
    getConfig(): any {
      return { ...super.getConfig(), resetAfter: true }
    }
  }

  class GRU extends TfGRU {
    static className = 'GRU'
    constructor(args: any) {
      super({ ...args, resetAfter: false })
      if (args.resetAfter) this.cell = new ResetAfterGRUCell(args)
    }
    getConfig(): any {
      return { ...super.getConfig(), resetAfter: this.cell.resetAfter === true }
    }
  }
  tf.serialization.registerClass(GRU as never)
}
/* eslint-enable @typescript-eslint/no-explicit-any */
