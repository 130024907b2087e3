// The document's Keras callbacks in the in-app trainer, with Keras's rules: EarlyStopping and
// ReduceLROnPlateau watch a metric at each epoch's end, ModelCheckpoint (save_best_only) keeps the
// best epoch's weights for the run, ExponentialDecay sets the learning rate before every step.
import { decayedRate, maximizes, type Callback } from '../../shared/graph/callbacks'
import type { CompileSettings } from '../../shared/graph/schema'
import type { Tf } from './backends'

type LayersModel = import('@tensorflow/tfjs').LayersModel
type Tensor = import('@tensorflow/tfjs').Tensor

/** tfjs's optimizers keep the learning rate in a field; SGD and Momentum set it through a method. */
interface WithRate {
  learningRate: number
  setLearningRate?: (lr: number) => void
}
const rateOf = (model: LayersModel) => model.optimizer as unknown as WithRate
export function setRate(model: LayersModel, lr: number): void {
  const o = rateOf(model)
  if (o.setLearningRate) o.setLearningRate(lr)
  else o.learningRate = lr
}

/** A copy of the model's weights, kept outside tfjs's tidy scopes. */
function snapshot(tf: Tf, model: LayersModel): Tensor[] {
  return model.getWeights().map((w) => tf.keep(w.clone()))
}

export interface CallbackRunner {
  /** Before training starts: the schedule's first learning rate. */
  begin(): void
  /** After each batch (`step` batches done in all): the schedule's next learning rate. */
  afterBatch(step: number): void
  /** After each epoch (0-based), with its logs; says whether training stops here. */
  afterEpoch(epoch: number, logs: Record<string, number>): boolean
  /** After training: the weights to keep (the best epoch's) go back into the model. */
  end(): void
  /** What the callbacks did, in a sentence (empty when nothing to say). */
  note(): string
  dispose(): void
}

export function callbackRunner(
  tf: Tf,
  model: LayersModel,
  callbacks: Callback[],
  compile: CompileSettings,
): CallbackRunner {
  const notes: string[] = []
  const kept: Tensor[][] = []
  const keep = (old: Tensor[] | null): Tensor[] => {
    if (old) tf.dispose(old)
    const s = snapshot(tf, model)
    kept.push(s)
    return s
  }
  const better = (value: number, best: number, monitor: string, m: 'auto' | 'min' | 'max', delta: number) =>
    maximizes(monitor, m) ? value > best + delta : value < best - delta
  type Hook = Omit<CallbackRunner, 'note' | 'dispose' | 'begin' | 'afterBatch'> & {
    begin?: () => void
    afterBatch?: (step: number) => void
  }
  const hooks: Hook[] = callbacks.map((cb): Hook => {
    switch (cb.class_name) {
      case 'EarlyStopping': {
        const c = cb.config
        let best = c.baseline ?? (maximizes(c.monitor, c.mode) ? -Infinity : Infinity)
        let bestEpoch = -1
        let wait = 0
        let weights: Tensor[] | null = null
        let stoppedAt = -1
        return {
          afterEpoch(epoch, logs) {
            const v = logs[c.monitor]
            if (v === undefined || epoch < c.start_from_epoch) return false
            if (better(v, best, c.monitor, c.mode, c.min_delta)) {
              best = v
              bestEpoch = epoch
              wait = 0
              if (c.restore_best_weights) weights = keep(weights)
              return false
            }
            wait++
            if (wait >= c.patience && epoch > 0) {
              stoppedAt = epoch
              notes.push(
                `EarlyStopping ended the run after epoch ${epoch + 1}: ${c.monitor} had not improved for ${wait} epoch${wait === 1 ? '' : 's'}` +
                  (bestEpoch >= 0 ? ` (best ${best.toFixed(4)} at epoch ${bestEpoch + 1})` : ''),
              )
              return true
            }
            return false
          },
          end() {
            if (stoppedAt >= 0 && weights) {
              model.setWeights(weights)
              notes.push(`the weights are epoch ${bestEpoch + 1}'s`)
            }
          },
        }
      }
      case 'ReduceLROnPlateau': {
        const c = cb.config
        let best = maximizes(c.monitor, c.mode) ? -Infinity : Infinity
        let wait = 0
        let cooldown = 0
        let lowered = 0
        let first = -1
        return {
          afterEpoch(epoch, logs) {
            const v = logs[c.monitor]
            if (v === undefined) return false
            if (cooldown > 0) {
              cooldown--
              wait = 0
            }
            if (better(v, best, c.monitor, c.mode, c.min_delta)) {
              best = v
              wait = 0
            } else if (cooldown <= 0 && ++wait >= c.patience) {
              const lr = rateOf(model).learningRate
              if (lr > c.min_lr) {
                const next = Math.max(lr * c.factor, c.min_lr)
                setRate(model, next)
                if (!lowered++) first = epoch
                cooldown = c.cooldown
                wait = 0
              }
            }
            return false
          },
          end() {
            if (lowered)
              notes.push(
                `ReduceLROnPlateau lowered the learning rate ${lowered === 1 ? 'once' : `${lowered} times`} from epoch ${first + 1}, to ${rateOf(model).learningRate.toPrecision(3)}`,
              )
          },
        }
      }
      case 'ModelCheckpoint': {
        const c = cb.config
        let best = maximizes(c.monitor, c.mode) ? -Infinity : Infinity
        let bestEpoch = -1
        let last = -1
        let weights: Tensor[] | null = null
        return {
          afterEpoch(epoch, logs) {
            last = epoch
            const v = logs[c.monitor]
            if (!c.save_best_only || v === undefined) return false
            if (better(v, best, c.monitor, c.mode, 0)) {
              best = v
              bestEpoch = epoch
              weights = keep(weights)
            }
            return false
          },
          end() {
            if (weights && bestEpoch !== last) {
              model.setWeights(weights)
              notes.push(
                `kept the weights of epoch ${bestEpoch + 1}, the best ${c.monitor} (${best.toFixed(4)})`,
              )
            }
          },
        }
      }
      case 'ExponentialDecay': {
        const c = cb.config
        return {
          begin: () => setRate(model, decayedRate(c, compile.learningRate, 0)),
          afterBatch: (step) => setRate(model, decayedRate(c, compile.learningRate, step)),
          afterEpoch: () => false,
          end() {},
        }
      }
    }
  })
  return {
    begin: () => hooks.forEach((h) => h.begin?.()),
    afterBatch: (step) => hooks.forEach((h) => h.afterBatch?.(step)),
    // Every callback sees every epoch, as Keras calls them all, even when one stops the run.
    afterEpoch: (epoch, logs) => hooks.map((h) => h.afterEpoch(epoch, logs)).some(Boolean),
    end: () => hooks.forEach((h) => h.end()),
    note: () => (notes.length ? `${notes.join('; ')}.` : ''),
    dispose: () => kept.forEach((k) => tf.dispose(k)),
  }
}

/** Whether any callback changes the learning rate (the epoch logs then carry learning_rate). */
export const changesRate = (callbacks: Callback[]): boolean =>
  callbacks.some((c) => c.class_name === 'ReduceLROnPlateau' || c.class_name === 'ExponentialDecay')

export const learningRateOf = (model: LayersModel): number => rateOf(model).learningRate
