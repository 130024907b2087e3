// The app's Adam: tfjs's AdamOptimizer (same class name, state, weights and serialization) whose
// step runs as one NetwrightAdam kernel a variable where the backend has one (wasm, wasm-simd.ts),
// the same bits as tfjs's eleven kernels; on any other backend tfjs's own step.
import type { Tf } from './backends'

type Tensor = import('@tensorflow/tfjs').Tensor
type Variable = import('@tensorflow/tfjs').Variable
type NamedGrads = Parameters<import('@tensorflow/tfjs').AdamOptimizer['applyGradients']>[0]

/** The kernel's name in tfjs's registry. */
export const ADAM_KERNEL = 'NetwrightAdam'

/** AdamOptimizer's fields that tfjs 4.22 keeps private. */
interface AdamState {
  learningRate: number
  beta1: number
  beta2: number
  epsilon: number
  accBeta1: Variable
  accBeta2: Variable
  accumulatedFirstMoment: { originalName: string; variable: Variable }[]
  accumulatedSecondMoment: { originalName: string; variable: Variable }[]
}

const classes = new WeakMap<Tf, new (lr: number) => import('@tensorflow/tfjs').AdamOptimizer>()

/** An Adam optimizer for `tf` at learning rate `lr` (beta1 0.9, beta2 0.999, tfjs's epsilon). */
export function adam(tf: Tf, lr: number): import('@tensorflow/tfjs').AdamOptimizer {
  let Fused = classes.get(tf)
  if (!Fused) {
    Fused = class extends tf.AdamOptimizer {
      constructor(learningRate: number) {
        super(learningRate, 0.9, 0.999)
      }
      override applyGradients(grads: NamedGrads): void {
        const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads)
        const engine = tf.engine()
        const vars = names.map((n) => engine.registeredVariables[n]!)
        if (!tf.getKernel(ADAM_KERNEL, tf.getBackend()) || vars.some((v) => v.dtype !== 'float32'))
          return super.applyGradients(grads)
        const s = this as unknown as AdamState
        tf.tidy(() => {
          const d1 = tf.sub(1, s.accBeta1)
          const d2 = tf.sub(1, s.accBeta2)
          vars.forEach((value, i) => {
            s.accumulatedFirstMoment[i] ??= {
              originalName: `${names[i]}/m`,
              variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
            }
            s.accumulatedSecondMoment[i] ??= {
              originalName: `${names[i]}/v`,
              variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
            }
            const g = Array.isArray(grads) ? grads[i]!.tensor : grads[names[i]!]
            if (g == null) return
            const m = s.accumulatedFirstMoment[i]!.variable
            const v = s.accumulatedSecondMoment[i]!.variable
            const [m2, v2, w2] = engine.runKernel(
              ADAM_KERNEL,
              { g, m, v, w: value, d1, d2 },
              { beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, learningRate: s.learningRate },
            ) as Tensor[]
            m.assign(m2!)
            v.assign(v2!)
            value.assign(w2!)
          })
          s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1))
          s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2))
        })
        this.incrementIterations()
      }
    }
    classes.set(tf, Fused)
  }
  return new Fused(lr)
}
