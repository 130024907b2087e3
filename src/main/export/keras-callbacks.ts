// The document's callbacks as the Python script writes them: Keras's own classes with the same
// settings, and ExponentialDecay as the optimizer's learning-rate schedule (where Keras takes it).
import type { Callback } from '../../shared/graph/callbacks'
import { pyValue } from './quote'

const kwargs = (config: Record<string, unknown>) =>
  Object.entries(config)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${pyValue(v)}`)
    .join(', ')

/** The file ModelCheckpoint keeps the best epoch's model in, beside the script. */
export const BEST_FILE = 'best.keras'

export function pythonCallbacks(
  callbacks: Callback[],
  learningRate: number,
): { callbacks: string[]; learningRate: string; best: boolean } {
  const out: string[] = []
  let rate = String(learningRate)
  let best = false
  for (const c of callbacks)
    switch (c.class_name) {
      case 'EarlyStopping':
      case 'ReduceLROnPlateau':
        out.push(`keras.callbacks.${c.class_name}(${kwargs(c.config)})`)
        break
      case 'ModelCheckpoint':
        best = c.config.save_best_only
        out.push(`keras.callbacks.ModelCheckpoint(BEST, ${kwargs(c.config)})`)
        break
      case 'ExponentialDecay':
        rate = `keras.optimizers.schedules.ExponentialDecay(${kwargs({
          initial_learning_rate: c.config.initial_learning_rate ?? learningRate,
          decay_steps: c.config.decay_steps,
          decay_rate: c.config.decay_rate,
          staircase: c.config.staircase,
        })})`
        break
    }
  return { callbacks: out, learningRate: rate, best }
}
