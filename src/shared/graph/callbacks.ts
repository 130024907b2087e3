// The training callbacks a document may hold, in Keras's own form ({class_name, config}, Keras's
// names and defaults): EarlyStopping, ReduceLROnPlateau, ModelCheckpoint (save_best_only: the run
// keeps its best epoch's weights) and, as the learning-rate schedule, ExponentialDecay (staircase:
// step decay), which Keras gives the optimizer as its learning_rate. The in-app trainer, the Keras
// rung and the Python export all read them from here.
import { z } from 'zod'

const monitor = z.string().min(1).max(100).default('val_loss')
const mode = z.enum(['auto', 'min', 'max']).default('auto')
const count = z.number().int().min(0).max(100_000)

export const EarlyStoppingSchema = z.object({
  class_name: z.literal('EarlyStopping'),
  config: z
    .object({
      monitor,
      min_delta: z.number().min(0).default(0),
      patience: count.default(0),
      mode,
      baseline: z.number().nullable().default(null),
      restore_best_weights: z.boolean().default(false),
      start_from_epoch: count.default(0),
    })
    .strict()
    .prefault({}),
})

export const ReduceLROnPlateauSchema = z.object({
  class_name: z.literal('ReduceLROnPlateau'),
  config: z
    .object({
      monitor,
      factor: z.number().gt(0).lt(1).default(0.1),
      patience: count.default(10),
      mode,
      min_delta: z.number().min(0).default(1e-4),
      cooldown: count.default(0),
      min_lr: z.number().min(0).default(0),
    })
    .strict()
    .prefault({}),
})

export const ModelCheckpointSchema = z.object({
  class_name: z.literal('ModelCheckpoint'),
  config: z
    .object({ monitor, mode, save_best_only: z.boolean().default(true) })
    .strict()
    .prefault({}),
})

export const ExponentialDecaySchema = z.object({
  class_name: z.literal('ExponentialDecay'),
  config: z
    .object({
      /** The learning rate it starts from; the compile settings' when absent. */
      initial_learning_rate: z.number().positive().max(10).optional(),
      decay_steps: z.number().int().min(1).max(1e9),
      decay_rate: z.number().positive().max(10),
      staircase: z.boolean().default(false),
    })
    .strict(),
})

export const CallbackSchema = z.discriminatedUnion(
  'class_name',
  [EarlyStoppingSchema, ReduceLROnPlateauSchema, ModelCheckpointSchema, ExponentialDecaySchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'is not a callback Netwright trains with; use EarlyStopping, ReduceLROnPlateau, ModelCheckpoint or ExponentialDecay (Keras class names)'
        : undefined,
  },
)
export type Callback = z.infer<typeof CallbackSchema>
export type CallbackName = Callback['class_name']
export const CALLBACK_NAMES: CallbackName[] = [
  'EarlyStopping',
  'ReduceLROnPlateau',
  'ModelCheckpoint',
  'ExponentialDecay',
]

/** Whether a larger value of `monitor` is better: Keras's 'auto' says so for accuracy-like names. */
export function maximizes(monitor: string, m: 'auto' | 'min' | 'max'): boolean {
  if (m !== 'auto') return m === 'max'
  return /acc|auc|precision|recall|f1/i.test(monitor)
}

/** The learning rate of ExponentialDecay after `step` optimizer steps, as Keras computes it. */
export function decayedRate(
  c: Extract<Callback, { class_name: 'ExponentialDecay' }>['config'],
  lr: number,
  step: number,
): number {
  const p = step / c.decay_steps
  return (c.initial_learning_rate ?? lr) * c.decay_rate ** (c.staircase ? Math.floor(p) : p)
}

/** A callback as one line (the training panel's list, the CLI's notes). */
export function describeCallback(c: Callback): string {
  switch (c.class_name) {
    case 'EarlyStopping':
      return `EarlyStopping: stop when ${c.config.monitor} has not improved for ${c.config.patience} epoch${c.config.patience === 1 ? '' : 's'}${c.config.restore_best_weights ? ', keeping the best weights' : ''}`
    case 'ReduceLROnPlateau':
      return `ReduceLROnPlateau: ×${c.config.factor} when ${c.config.monitor} has not improved for ${c.config.patience} epochs`
    case 'ModelCheckpoint':
      return `ModelCheckpoint: keep the weights of the epoch with the best ${c.config.monitor}`
    case 'ExponentialDecay':
      return `ExponentialDecay: ×${c.config.decay_rate} every ${c.config.decay_steps} steps${c.config.staircase ? ' (in steps)' : ''}`
  }
}
