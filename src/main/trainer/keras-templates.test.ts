// Every template through keras_driver.py against the real Keras (3.15 on TensorFlow 2.21, and on
// PyTorch): an epoch in Keras, then the trained weights back in TensorFlow.js predicting what Keras does.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyze, resolvedParams } from '../../shared/graph/analyze'
import { parseDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { toKerasConfig } from '../../shared/keras/config'
import { layerSpec } from '../../shared/layers'
import type { LoadedDataset } from '../datasets/builtins'
import { tfjs } from '../export/keras-weights'
import { readTfjsModel } from '../export/tfjs-io'
import { templatesDir } from '../hosts/paths'
import { pythonWith, skipReason, usePython } from '../testing/python'
import { batchSource, buildModel, disposeModel } from './engine'
import { driverPath } from './keras-launcher'
import { keepKerasRun, prepareKerasRun } from './keras-run'
import type { ToTrainer } from './protocol'
import { loadWeightsInto } from './weights'

const python = pythonWith('keras', 'tensorflow')
if (!python) console.warn(`The Keras template checks skipped: ${skipReason(['keras', 'tensorflow'])}`)
const torch = python && pythonWith('keras', 'torch')

const templates = readdirSync(templatesDir())
  .filter((f) => f.endsWith('.netwright.json'))
  .map((f): [string, NetDocument] => [
    f.replace('.netwright.json', ''),
    parseDocument(readFileSync(join(templatesDir(), f), 'utf8')),
  ])

/** Made-up samples shaped for the model's Inputs, with labels its outputs and losses take. */
function madeUpData(doc: NetDocument, n: number): LoadedDataset {
  const a = analyze(doc)
  let seed = 7
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const vocab = Math.min(
    ...doc.nodes.filter((x) => x.className === 'Embedding').map((x) => Number(x.params.input_dim)),
    10,
  )
  const feed = (id: string) => {
    const node = doc.nodes.find((x) => x.id === id)!
    const p = resolvedParams(layerSpec('InputLayer')!, node.params)
    const shape = (p.shape as (number | null)[]).map((d) => d ?? 12)
    const size = shape.reduce((x, y) => x * y, 1)
    const ints = p.dtype === 'int32'
    const x = Float32Array.from({ length: n * size }, () => (ints ? Math.floor(rand() * vocab) : rand()))
    return { name: node.name, x, sampleShape: shape }
  }
  const [first, ...more] = a.inputs.map(feed)
  const out = a.nodes[a.outputs[0]!]!.outputShape!
  const units = Number(out.at(-1))
  const regression = /mean_/.test(doc.compile.loss)
  const k = regression ? 0 : units === 1 ? 2 : units
  return {
    id: doc.dataset.id,
    x: first!.x,
    sampleShape: first!.sampleShape,
    y: regression
      ? Float32Array.from({ length: n }, () => rand() * 10)
      : Int32Array.from({ length: n }, (_, i) => i % k),
    task: regression ? 'regression' : 'classification',
    classes: Array.from({ length: k }, (_, i) => `c${i}`),
    ...(more.length ? { more } : {}),
  }
}

type Start = Extract<ToTrainer, { type: 'start' }>

/** Trains `doc` for an epoch in `py` with keras_driver's own start(), and checks tfjs predicts what Keras does. */
async function driverRun(py: ReturnType<typeof usePython>, doc: NetDocument) {
  const dir = mkdtempSync(join(tmpdir(), 'netwright-keras-template-'))
  const msg: Start = {
    type: 'start',
    modelConfig: toKerasConfig(doc),
    compile: doc.compile,
    training: { ...doc.training, epochs: 1, batchSize: 16, validationSplit: 0.25 },
    dataset: { id: doc.dataset.id, options: {} },
    kerasDir: dir,
    saveDir: join(dir, 'kept'),
  }
  const data = madeUpData(doc, 32)
  const spec = await prepareKerasRun(msg, dir, data)
  const r = await py().run<{
    msgs: { type: string; [k: string]: unknown }[]
    pred: number[][] | number[][][]
  }>(
    [
      'import keras, keras_driver as d',
      'msgs = []',
      'd.send = msgs.append',
      'd.start(spec)',
      'model = keras.saving.load_model(spec["save"])',
      'x = d.inputs_of(model, np.load(spec["data"]), "train")',
      'x = [v[:4] for v in x] if isinstance(x, list) else x[:4]',
      'pred = model.predict(x, verbose=0)',
      'result = {"msgs": msgs, "pred": [p.tolist() for p in pred] if isinstance(pred, (list, tuple)) else [pred.tolist()]}',
    ].join('\n'),
    { spec },
  )
  const types = r.msgs.map((m) => m.type)
  expect(types[0]).toBe('keras')
  expect(types).toContain('batch')
  expect(types.filter((t) => t === 'epoch')).toHaveLength(1)
  expect(r.msgs.at(-1)).toMatchObject({ type: 'done', epochsDone: 1, saved: true, stopped: false })
  // Back in tfjs: every layer's weights matched by name and shape (so Keras's counts are ours)...
  await keepKerasRun(msg.modelConfig, spec.save!, msg.saveDir!)
  const tf = await tfjs()
  const model = await buildModel(tf as never, msg)
  try {
    loadWeightsInto(tf as never, model, await readTfjsModel(join(msg.saveDir!, 'model.json')), 'the run')
    // ...and predicting what Keras predicts for the same samples.
    const source = batchSource(tf as never, model, data, msg.compile)
    const x = source.x([0, 1, 2, 3])
    const got = [model.predict(x)].flat() as import('@tensorflow/tfjs').Tensor[]
    got.forEach((t, i) => {
      const want = tf.tensor(r.pred[i] as number[][])
      expect(tf.max(tf.abs(tf.sub(t, want))).dataSync()[0]).toBeLessThan(1e-5)
    })
    tf.dispose([x, got].flat())
    source.dispose()
  } finally {
    disposeModel(model)
  }
}

const warmup = (backend: string) =>
  `import sys, keras\nsys.path.insert(0, ${JSON.stringify(dirname(driverPath()))})\nassert keras.backend.backend() == "${backend}"`

describe.skipIf(!python)(
  'every template trains an epoch in Keras (TensorFlow), and tfjs predicts what Keras does',
  () => {
    const py = usePython(python!, warmup('tensorflow'))
    it.each(templates)('%s', async (_name, doc) => driverRun(py, doc), 120_000)
  },
)

// On PyTorch, one template of each kind of model (Sequential dense, convolutional, recurrent,
// Functional with a skip connection, two Inputs): the rest adds minutes, not kinds.
const ON_TORCH = ['shapes-mlp', 'fashion-mnist-cnn', 'imdb-lstm', 'residual-block', 'two-inputs']
describe.skipIf(!torch)(
  'templates train an epoch in Keras on PyTorch (KERAS_BACKEND=torch), tfjs predicting the same',
  () => {
    const py = usePython(torch || '', warmup('torch'), { KERAS_BACKEND: 'torch' })
    it.each(templates.filter(([name]) => ON_TORCH.includes(name)))(
      '%s',
      async (_name, doc) => driverRun(py, doc),
      120_000,
    )
  },
)
