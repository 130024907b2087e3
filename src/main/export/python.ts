// The Python (Keras 3) script: the model rebuilt layer by layer in the style it was drawn, the same
// data and preprocessing, and compile + fit with the same settings. Written from the canonical Keras
// config, so it cannot drift from what the app trains.
import { analyze, incomingEdges, resolvedParams } from '../../shared/graph/analyze'
import { layerSpec } from '../../shared/layers'
import type { NetDocument } from '../../shared/graph/schema'
import { toKerasConfig, type KerasLayer } from '../../shared/keras/config'
import { KERAS_OPTIMIZER, outputNames } from './keras-json'
import { dataCode, type PythonData } from './python-data'
import { pyEscape, pyValue } from './quote'
import { BEST_FILE, pythonCallbacks } from './keras-callbacks'

export { pyValue }

export type { PythonData }

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield print input'.split(
    ' ',
  ),
)

/** A Python identifier for a layer name. */
export function pyIdent(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_')
  if (/^[0-9]/.test(s)) s = `_${s}`
  if (PY_KEYWORDS.has(s)) s = `${s}_`
  return s || '_'
}

/**
 * Identifiers for one generated scope: each key (a layer name, say) gets pyIdent of its preferred
 * name, made unique, and never one of the names the script itself uses there ("a-b" and "a_b", or a
 * layer named "layers", would otherwise overwrite each other or the script's own variables).
 */
export function pyNamer(reserved: Iterable<string>): (key: string, preferred?: string) => string {
  const taken = new Set(reserved)
  const given = new Map<string, string>()
  return (key, preferred = key) => {
    const known = given.get(key)
    if (known) return known
    const base = pyIdent(preferred)
    let id = base
    for (let k = 2; taken.has(id); k++) id = `${base}_${k}`
    taken.add(id)
    given.set(key, id)
    return id
  }
}

/** Names the script's build_model() reads or defines, which a layer's variable must not take. */
const SCRIPT_NAMES = [
  'keras',
  'layers',
  'np',
  'os',
  'build_model',
  'compile_model',
  'load_data',
  'labels',
  'main',
  'SEED',
  'EPOCHS',
  'BATCH_SIZE',
  'VALIDATION_SPLIT',
  'WEIGHTS',
]

const tuple = (xs: unknown[]): string => `(${xs.map(pyValue).join(', ')}${xs.length === 1 ? ',' : ''})`

/** Keys of a layer config that are the layer's identity, not its parameters. */
const NOT_PARAMS = new Set(['name', 'trainable', 'dtype'])
/** Initializers equal to Keras's defaults are left out of the script (it reads better without them). */
const isDefaultInit = (key: string, v: unknown): boolean => {
  const o = v as { class_name?: string; config?: Record<string, unknown> } | undefined
  if (!o || typeof o !== 'object') return false
  if (key === 'kernel_initializer') return o.class_name === 'GlorotUniform' && o.config?.seed == null
  if (key === 'bias_initializer') return o.class_name === 'Zeros'
  return false
}

/** The keyword arguments the script passes a layer: its config without identity and default initializers. */
export function layerKwargs(config: Record<string, unknown>): [string, unknown][] {
  const kwargs = Object.entries(config).filter(([k, v]) => !NOT_PARAMS.has(k) && !isDefaultInit(k, v))
  // A frozen layer says so (Keras layers take trainable=False).
  return config.trainable === false ? [...kwargs, ['trainable', false]] : kwargs
}

/** `layers.Dense(units=512, activation="relu", name="dense")`, nested layers (Bidirectional) included. */
export function layerCall(l: KerasLayer, withName = true): string {
  const args = layerKwargs(l.config).map(([k, v]) => {
    const nested = v as KerasLayer
    if (nested && typeof nested === 'object' && typeof nested.class_name === 'string' && 'config' in nested)
      return `${k}=${layerCall(nested, true)}`
    return `${k}=${pyValue(v)}`
  })
  if (withName && typeof l.config.name === 'string') args.push(`name=${pyValue(l.config.name)}`)
  return `layers.${l.class_name}(${args.join(', ')})`
}

function inputCall(l: KerasLayer): string {
  const shape = (l.config.batch_input_shape as unknown[]).slice(1)
  return `keras.Input(shape=${tuple(shape)}, dtype=${pyValue(l.config.dtype ?? 'float32')}, name=${pyValue(l.config.name)})`
}

/** The model-building function, Sequential or Functional as the user drew it. */
function buildModelCode(doc: NetDocument): string[] {
  const config = toKerasConfig(doc)
  const modelName = pyValue(config.config.name)
  if (config.class_name === 'Sequential') {
    const [first, ...rest] = config.config.layers
    return [
      'def build_model():',
      '    """The model as drawn in Netwright (Sequential)."""',
      '    return keras.Sequential(',
      '        [',
      `            ${inputCall(first!)},`,
      ...rest.map((l) => `            ${layerCall(l)},`),
      '        ],',
      `        name=${modelName},`,
      '    )',
    ]
  }
  // Functional: one line per use of a layer, in an order where inputs come first. A layer used more
  // than once (shared weights) is made once and called at each use.
  const a = analyze(doc)
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const byName = new Map(config.config.layers.map((l) => [String(l.config.name), l]))
  const ownerOf = (id: string) => byId.get(id)!.sharedWith ?? id
  const useCount = new Map<string, number>()
  for (const id of a.order) useCount.set(ownerOf(id), (useCount.get(ownerOf(id)) ?? 0) + 1)
  const made = new Set<string>()
  const incoming = incomingEdges(doc)
  const ident = pyNamer(SCRIPT_NAMES)
  const lines = ['def build_model():', '    """The model as drawn in Netwright (Functional)."""']
  for (const id of a.order) {
    const node = byId.get(id)!
    const owner = byId.get(ownerOf(id))!
    const l = byName.get(owner.name)!
    const v = ident(`var:${node.name}`, node.name)
    if (l.class_name === 'InputLayer') {
      lines.push(`    ${v} = ${inputCall(l)}`)
      continue
    }
    const ins = (incoming.get(id) ?? []).map((e) =>
      ident(`var:${byId.get(e.source)!.name}`, byId.get(e.source)!.name),
    )
    const arg = ins.length === 1 ? ins[0]! : `[${ins.join(', ')}]`
    if ((useCount.get(owner.id) ?? 1) > 1) {
      const layerVar = ident(`layer:${owner.name}`, `${owner.name}_layer`)
      if (!made.has(owner.id)) {
        lines.push(
          `    ${layerVar} = ${layerCall(l)}  # used ${useCount.get(owner.id)} times: shared weights`,
        )
        made.add(owner.id)
      }
      lines.push(`    ${v} = ${layerVar}(${arg})`)
    } else lines.push(`    ${v} = ${layerCall(l)}(${arg})`)
  }
  const v = (id: string) => ident(`var:${byId.get(id)!.name}`, byId.get(id)!.name)
  const list = (ids: string[]) => (ids.length === 1 ? v(ids[0]!) : `[${ids.map(v).join(', ')}]`)
  lines.push(
    `    return keras.Model(inputs=${list(a.inputs)}, outputs=${list(a.outputs)}, name=${modelName})`,
  )
  return lines
}

/** The Python script's text. */
export function pythonScript(
  doc: NetDocument,
  data: PythonData,
  scriptName = 'train.py',
  exportedAt = new Date(),
): string {
  const config = toKerasConfig(doc)
  const outs = outputNames(config)
  const a = analyze(doc)
  const firstInput = doc.nodes.find((n) => n.id === a.inputs[0])!
  // As the model has it: the Input's parameters with their defaults filled in.
  const inputParams = resolvedParams(layerSpec('InputLayer')!, firstInput.params)
  const inputShape = inputParams.shape as number[]
  const inputDtype = String(inputParams.dtype ?? 'float32')
  const c = doc.compile
  const t = doc.training
  const cbs = pythonCallbacks(t.callbacks, c.learningRate)
  const lossOf = (o: string) => c.outputs?.[o]?.loss ?? c.loss
  const multi = outs.length > 1
  const lossArg = multi
    ? `{${outs.map((o) => `${pyValue(o)}: ${pyValue(lossOf(o))}`).join(', ')}}`
    : pyValue(c.loss)
  const oneHot = outs.filter((o) => lossOf(o) === 'categorical_crossentropy')
  const lines = [
    '"""',
    `${pyEscape(doc.name)}: exported from Netwright on ${exportedAt.toISOString().slice(0, 10)}.`,
    '',
    'Rebuilds the model as it was drawn, loads the same data with the same preprocessing, then',
    'compiles and trains it with the same settings and seed, and prints the evaluation.',
    '',
    'Run it with Keras 3 and TensorFlow:',
    '    pip install keras tensorflow',
    `    python ${pyEscape(scriptName)}`,
    '',
    'To start from the weights trained in Netwright, export the model as "TensorFlow.js" (model.json',
    'and its .weights.bin), convert it, and set WEIGHTS below to the converted file:',
    '    pip install tensorflowjs',
    '    tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras_keras model.json model.keras',
    '"""',
    'import os',
    '',
    'os.environ.setdefault("KERAS_BACKEND", "tensorflow")',
    '',
    'import numpy as np',
    'import keras',
    'from keras import layers',
    '',
    `SEED = ${t.seed}`,
    ...(cbs.best
      ? [`BEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${pyValue(BEST_FILE)})`]
      : []),
    `EPOCHS = ${t.epochs}`,
    `BATCH_SIZE = ${t.batchSize}`,
    `VALIDATION_SPLIT = ${t.validationSplit}`,
    'WEIGHTS = None  # e.g. "model.keras", converted from the TensorFlow.js export (see above)',
    '',
    '',
    ...dataCode(
      data,
      inputShape,
      inputDtype,
      a.inputs
        .slice(1)
        .map(
          (id) =>
            resolvedParams(layerSpec('InputLayer')!, doc.nodes.find((n) => n.id === id)!.params)
              .shape as number[],
        ),
    ),
    '',
    '',
    ...buildModelCode(doc),
    '',
    '',
    'def compile_model(model):',
    '    model.compile(',
    `        optimizer=keras.optimizers.${KERAS_OPTIMIZER[c.optimizer]}(learning_rate=${cbs.learningRate}),`,
    `        loss=${lossArg},`,
    ...(multi
      ? [
          `        loss_weights={${outs.map((o) => `${pyValue(o)}: ${c.outputs?.[o]?.weight ?? 1}`).join(', ')}},`,
        ]
      : []),
    `        metrics=${multi ? `{${outs.map((o) => `${pyValue(o)}: ${pyValue(c.metrics)}`).join(', ')}}` : pyValue(c.metrics)},`,
    '    )',
    '    return model',
    '',
    '',
    'def labels(y):',
    ...(oneHot.length
      ? [
          '    """Class numbers, one-hot encoded for categorical_crossentropy."""',
          multi
            ? `    return {${outs.map((o) => `${pyValue(o)}: ${oneHot.includes(o) ? 'keras.utils.to_categorical(y)' : 'y'}`).join(', ')}}`
            : '    return keras.utils.to_categorical(y)',
        ]
      : multi
        ? [`    return {${outs.map((o) => `${pyValue(o)}: y`).join(', ')}}`]
        : ['    return y']),
    '',
    '',
    ...(cbs.callbacks.length
      ? [
          'def callbacks():',
          '    # The callbacks the project trains with, as Keras classes.',
          '    return [',
          ...cbs.callbacks.map((l) => `        ${l},`),
          '    ]',
          '',
          '',
        ]
      : []),
    'def main():',
    '    keras.utils.set_random_seed(SEED)',
    '    (x_train, y_train), test = load_data()',
    '',
    '    # To train on several GPUs or machines, build and compile inside a tf.distribute strategy:',
    '    #     import tensorflow as tf',
    '    #     strategy = tf.distribute.MirroredStrategy()  # one machine, all its GPUs',
    '    #     # or tf.distribute.MultiWorkerMirroredStrategy() across machines (set TF_CONFIG on each)',
    '    #     with strategy.scope():',
    '    #         model = compile_model(build_model())',
    '    # and scale BATCH_SIZE by strategy.num_replicas_in_sync.',
    '    model = compile_model(build_model())',
    '    if WEIGHTS:',
    '        model.load_weights(WEIGHTS)',
    '    model.summary()',
    '    model.fit(',
    '        x_train,',
    '        labels(y_train),',
    '        epochs=EPOCHS,',
    '        batch_size=BATCH_SIZE,',
    '        validation_split=VALIDATION_SPLIT,',
    `        shuffle=${pyValue(t.shuffle)},`,
    ...(cbs.callbacks.length ? ['        callbacks=callbacks(),'] : []),
    '    )',
    ...(cbs.best
      ? [
          '    # ModelCheckpoint kept the best epoch: evaluate (and keep) that one.',
          '    model.load_weights(BEST)',
        ]
      : []),
    '    if test is not None:',
    '        x_test, y_test = test',
    '        results = model.evaluate(x_test, labels(y_test), batch_size=BATCH_SIZE, return_dict=True)',
    '        print("Test:", ", ".join(f"{k} {v:.4f}" for k, v in results.items()))',
    '    else:',
    '        # No test set: evaluate on the validation rows (the last VALIDATION_SPLIT of the data).',
    '        n = min(int(len(y_train) * (1 - VALIDATION_SPLIT)), len(y_train) - 1)',
    '        x_val = [x[n:] for x in x_train] if isinstance(x_train, list) else x_train[n:]',
    '        results = model.evaluate(x_val, labels(y_train[n:]), batch_size=BATCH_SIZE, return_dict=True)',
    '        print("Validation:", ", ".join(f"{k} {v:.4f}" for k, v in results.items()))',
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  ]
  return lines.join('\n')
}
