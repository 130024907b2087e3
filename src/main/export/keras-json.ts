import type { CompileSettings, NetDocument, Optimizer } from '../../shared/graph/schema'
import { toKerasConfig, type KerasModelConfig } from '../../shared/keras/config'

/** Keras's class names for the optimizers, as `keras.optimizers` spells them. */
export const KERAS_OPTIMIZER: Record<Optimizer, string> = {
  adam: 'Adam',
  sgd: 'SGD',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
  adamax: 'Adamax',
}

/**
 * An optimizer's config with Keras's parameter names (snake_case: learning_rate, beta_1, ...) and
 * the defaults tfjs trains with, which are Keras's too. tfjs's own getConfig() says learningRate and
 * beta1: Python Keras would not read those.
 */
export function kerasOptimizerConfig(c: CompileSettings): {
  class_name: string
  config: Record<string, unknown>
} {
  const name = KERAS_OPTIMIZER[c.optimizer]
  const lr = { learning_rate: c.learningRate }
  const extra: Record<Optimizer, Record<string, unknown>> = {
    adam: { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
    adamax: { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
    sgd: { momentum: 0.0, nesterov: false },
    rmsprop: { rho: 0.9, momentum: 0.0, epsilon: 1e-7, centered: false },
    adagrad: { initial_accumulator_value: 0.1, epsilon: 1e-7 },
    adadelta: { rho: 0.95, epsilon: 1e-7 },
  }
  return { class_name: name, config: { name, ...lr, ...extra[c.optimizer] } }
}

/** Keras's training_config (as saved with a compiled model): loss, metrics, loss weights, optimizer. */
export function kerasTrainingConfig(doc: NetDocument, outputs: string[]): Record<string, unknown> {
  const c = doc.compile
  const multi = outputs.length > 1
  return {
    loss: multi ? Object.fromEntries(outputs.map((o) => [o, c.outputs?.[o]?.loss ?? c.loss])) : c.loss,
    metrics: c.metrics,
    weighted_metrics: null,
    loss_weights: multi ? Object.fromEntries(outputs.map((o) => [o, c.outputs?.[o]?.weight ?? 1])) : null,
    optimizer_config: kerasOptimizerConfig(c),
  }
}

/** The names of a Keras config's output layers, in order. */
export function outputNames(config: KerasModelConfig): string[] {
  if (config.class_name === 'Functional') return (config.config.output_layers ?? []).map((o) => o[0])
  const last = config.config.layers.at(-1)
  return last ? [String(last.config.name)] : []
}

/**
 * The Keras model JSON: the architecture as `model.to_json()` writes it, plus `training_config`, so
 * that Python Keras rebuilds it with `model_from_json` and compiles it with the same settings.
 */
export function kerasModelJson(doc: NetDocument): string {
  const config = toKerasConfig(doc)
  return (
    JSON.stringify({ ...config, training_config: kerasTrainingConfig(doc, outputNames(config)) }, null, 2) +
    '\n'
  )
}
