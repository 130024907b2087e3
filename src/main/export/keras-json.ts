import { analyze } from '../../shared/graph/analyze'
import type { CompileSettings, NetDocument, Optimizer } from '../../shared/graph/schema'
import { layerUses, toKerasConfig, type KerasModelConfig } from '../../shared/keras/config'
import { KERAS3_VERSION, tensorsFromAnalysis, toKeras3Config } from '../../shared/keras/keras3'

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

/** Keras 3's compile_config (what a compiled model's to_json() and a .keras file's config hold). */
export function kerasCompileConfig(doc: NetDocument, outputs: string[]): Record<string, unknown> {
  const t = kerasTrainingConfig(doc, outputs)
  const opt = kerasOptimizerConfig(doc.compile)
  return {
    optimizer: { module: 'keras.optimizers', ...opt, registered_name: null },
    loss: t.loss,
    loss_weights: t.loss_weights,
    metrics:
      outputs.length > 1
        ? Object.fromEntries(outputs.map((o) => [o, doc.compile.metrics]))
        : doc.compile.metrics,
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  }
}

/**
 * The Keras model JSON as Keras 3's `model.to_json()` writes it, so that `keras.models.model_from_json`
 * rebuilds it, with its compile_config, plus Keras 2's training_config for the readers of that
 * dialect (TensorFlow.js's converter, Keras 2). Import reads both dialects.
 */
export function kerasModelJson(doc: NetDocument): string {
  const analysis = analyze(doc)
  const config = toKerasConfig(doc, analysis)
  const outputs = outputNames(config)
  const uses = layerUses(doc, analysis)
  const idByName = new Map(doc.nodes.map((n) => [n.name, n.id]))
  const nodeOf = (name: string, use: number) => uses.get(idByName.get(name) ?? '')?.[use]
  return (
    JSON.stringify(
      {
        ...toKeras3Config(config, tensorsFromAnalysis(analysis, nodeOf)),
        compile_config: kerasCompileConfig(doc, outputs),
        keras_version: KERAS3_VERSION,
        backend: 'tensorflow',
        training_config: kerasTrainingConfig(doc, outputs),
      },
      null,
      2,
    ) + '\n'
  )
}
