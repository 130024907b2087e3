// The size of each layer's gradients at an epoch's end (the RNN deck's vanishing and exploding
// gradients, made visible): the loss's gradient with respect to every trainable weight on a batch of
// training rows, its L2 norm summed per layer. Computed apart from training (no optimizer step).
import type { CompileSettings } from '../../shared/graph/schema'
import type { Tf } from './backends'
import type { BatchSource } from './batches'
import { lossFunction, outputSettings } from './outputs'

type LayersModel = import('@tensorflow/tfjs').LayersModel
type Tensor = import('@tensorflow/tfjs').Tensor

export interface LayerGradient {
  layer: string
  /** ‖∂loss/∂w‖₂ over all of the layer's trainable weights. */
  norm: number
}

/** Each trainable layer's gradient norm on the rows `indices` (inference mode: no dropout drawn). */
export async function gradientNorms(
  tf: Tf,
  model: LayersModel,
  source: BatchSource,
  compile: CompileSettings,
  indices: ArrayLike<number>,
): Promise<LayerGradient[]> {
  const settings = outputSettings(compile, model.outputNames)
  const x = source.x(indices)
  const ys = source.ys(indices)
  // The variables in the order of their layers, each with its layer's name.
  const owners: { layer: string; variable: import('@tensorflow/tfjs').LayerVariable }[] = []
  for (const l of model.layers)
    for (const w of l.trainableWeights) owners.push({ layer: l.name, variable: w })
  try {
    const squares = tf.tidy(() => {
      const vars = owners.map((o) => o.variable.read() as import('@tensorflow/tfjs').Variable)
      const { grads } = tf.variableGrads(() => {
        const out = model.apply(x, { training: false }) as Tensor | Tensor[]
        const outs = Array.isArray(out) ? out : [out]
        return tf.addN(
          settings.map((s, i) => tf.mean(lossFunction(tf, s.loss)(ys[i]!, outs[i]!)).mul(s.weight)),
        ) as import('@tensorflow/tfjs').Scalar
      }, vars)
      return tf.stack(vars.map((v) => (grads[v.name] ? tf.sum(tf.square(grads[v.name]!)) : tf.scalar(0))))
    })
    const values = (await squares.data()) as Float32Array
    squares.dispose()
    const byLayer = new Map<string, number>()
    owners.forEach((o, i) => byLayer.set(o.layer, (byLayer.get(o.layer) ?? 0) + values[i]!))
    return [...byLayer].map(([layer, sq]) => ({ layer, norm: Math.sqrt(sq) }))
  } finally {
    tf.dispose([x, ys].flat())
  }
}
