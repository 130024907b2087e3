// Keras layers that tfjs does not have, written as tfjs layers serialized under their Keras names, so a
// model that uses them builds from the same Keras config, trains, and exports as Keras expects.
import type { Tf } from './backends'

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
}
