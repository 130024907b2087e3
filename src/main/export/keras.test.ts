// Export checked against the real Keras 3 (one Python process for the whole file): every template's
// and every palette layer's Keras JSON loads in keras.models.model_from_json with our counts and our
// settings, layer by layer, and every template's train.py trains an epoch. `npm run test:python` runs
// the Python checks alone; without a Python that has Keras they say they skipped and why.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CallbackSchema } from '../../shared/graph/callbacks'
import { analyze } from '../../shared/graph/analyze'
import { parseDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { toKerasConfig, type KerasLayer } from '../../shared/keras/config'
import { loadDataset, type LoadedDataset } from '../datasets/builtins'
import { encodeCsv, parseCsv } from '../datasets/csv'
import { templatesDir } from '../hosts/paths'
import { pythonWith, skipReason, usePython, type KerasCounts } from '../testing/python'
import { CASES, docFor } from '../trainer/layer-cases'
import { chooseBackend } from '../trainer/backends'
import { exportModel } from './index'
import { fileSaver } from './tfjs-io'
import { kerasModelJson } from './keras-json'
import { layerKwargs } from './python'

const templates = (): [string, NetDocument][] =>
  readdirSync(templatesDir())
    .filter((f) => f.endsWith('.netwright.json'))
    .map((f) => [f, parseDocument(readFileSync(join(templatesDir(), f), 'utf8'), f)])

const MODULES = ['keras', 'tensorflow']
const python = pythonWith(...MODULES)
if (!python) console.warn(`Real-Keras export checks skipped: ${skipReason(MODULES)}`)

/** What Keras should count: each layer (not the Inputs) with its parameters, as we count them. */
function ourCounts(doc: NetDocument) {
  const a = analyze(doc)
  const layers: Record<string, { class: string; params: number }> = {}
  for (const n of doc.nodes)
    if (!n.sharedWith && n.className !== 'InputLayer')
      layers[n.name] = { class: n.className, params: a.nodes[n.id]!.params }
  return { total: a.totalParams, trainable: a.trainableParams, layers }
}

/** Each layer's calls as the names of the layers feeding it, in port order (shared uses: the owner's). */
function ourGraph(doc: NetDocument): Record<string, string[][] | string[]> {
  const a = analyze(doc)
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const owner = (id: string) => byId.get(byId.get(id)!.sharedWith ?? id)!
  if (doc.style === 'sequential')
    return {
      '(order)': a.order
        .map((id) => byId.get(id)!)
        .filter((n) => n.className !== 'InputLayer')
        .map((n) => n.name),
    }
  const out: Record<string, string[][] | string[]> = {}
  for (const id of a.order) {
    const layer = owner(id)
    if (layer.className === 'InputLayer') continue
    const ins = doc.edges
      .filter((e) => e.target === id)
      .sort((x, y) => x.targetPort - y.targetPort)
      .map((e) => owner(e.source).name)
    ;((out[layer.name] ??= []) as string[][]).push(ins)
  }
  return out
}

/** Keras's counts without its InputLayers and per-layer trainable counts (compared at model level). */
const theirs = (c: KerasCounts) => ({
  total: c.total,
  trainable: c.trainable,
  layers: Object.fromEntries(
    Object.entries(c.layers)
      .filter(([, l]) => l.class !== 'InputLayer')
      .map(([name, l]) => [name, { class: l.class, params: l.params }]),
  ),
})

/**
 * Our settings of each layer as the exported Keras JSON writes them (nested configs and initializers
 * are left to the counts), in the form Keras's get_config() gives back the same setting: a pooling's
 * strides of None are its pool size, a normalization axis is a list, swish is named silu.
 */
function ourSettings(doc: NetDocument): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  const layers = (JSON.parse(kerasModelJson(doc)) as { config: { layers: KerasLayer[] } }).config.layers
  for (const l of layers) {
    if (l.class_name === 'InputLayer') continue
    const settings = Object.fromEntries(
      layerKwargs(l.config).filter(([, v]) => !(v && typeof v === 'object' && !Array.isArray(v))),
    )
    if ('pool_size' in settings && settings.strides === null) settings.strides = settings.pool_size
    if (l.class_name === 'LayerNormalization' && typeof settings.axis === 'number')
      settings.axis = [settings.axis]
    if (settings.activation === 'swish') settings.activation = 'silu'
    out[String(l.config.name)] = settings
  }
  return JSON.parse(JSON.stringify(out)) as Record<string, Record<string, unknown>>
}

/** What driver.py's run_script() saw of an exported train.py's run. */
interface ScriptRun {
  counts: KerasCounts
  graph: Record<string, string[][] | string[]>
  class: string
  history: Record<string, number[]>
  compile: { optimizer: string; learning_rate: number; loss: unknown; metrics: unknown }
  fit: { x: number[][]; x_dtype: string[]; [k: string]: unknown }
  seed: number
}

/** Keras's get_config() of each layer, reduced to the keys we set. */
const SETTINGS = `
result = {}
for l in model.layers:
    if l.name in want:
        c = l.get_config()
        result[l.name] = {k: c.get(k, "<missing>") for k in want[l.name]}
`

/** Exports the document's train.py into a new folder; answers its path. */
async function exportTrainPy(doc: NetDocument, loadData?: () => Promise<LoadedDataset>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'netwright-keras-'))
  await exportModel({ doc, format: 'python', folder: dir, name: 'train', ...(loadData ? { loadData } : {}) })
  return join(dir, 'train.py')
}

describe.skipIf(!python)(`with real Keras (${python ?? 'none'})`, () => {
  const py = usePython(python!, 'import keras, tensorflow')

  const loads = async (doc: NetDocument) => {
    const text = kerasModelJson(doc)
    const counts = await py().run<KerasCounts>(
      'import keras\nmodel = keras.models.model_from_json(text)\nresult = counts(model)',
      { text },
    )
    expect(theirs(counts)).toEqual(ourCounts(doc))
    expect(
      await py().run('import keras\nresult = graph(keras.models.model_from_json(text))', { text }),
    ).toEqual(ourGraph(doc))
    const want = ourSettings(doc)
    const got = await py().run(`import keras\nmodel = keras.models.model_from_json(text)\n${SETTINGS}`, {
      text,
      want: Object.fromEntries(Object.entries(want).map(([k, v]) => [k, Object.keys(v)])),
    })
    expect(got).toEqual(want)
  }

  it.each(templates())(
    '%s: the Keras JSON loads in model_from_json with our counts and settings, layer by layer',
    async (_f, doc) => loads(doc),
  )

  it.each(CASES)(
    '%s: the Keras JSON loads with our counts and settings',
    async (_l, input, cls, params, second) =>
      loads({
        ...docFor(input, cls, params, false, second),
        style: second ? 'functional' : 'sequential',
      } as NetDocument),
  )

  it.each(templates())('%s: train.py trains an epoch with our counts', async (f, doc) => {
    const path = await exportTrainPy(doc, async () =>
      loadDataset(doc.dataset.id, { ...doc.dataset.options, count: 64 }, doc.training.seed),
    )
    const r = await py().run<ScriptRun>('result = run_script(path, 1)', { path })
    expect(theirs(r.counts), f).toEqual(ourCounts(doc))
    expect(r.graph).toEqual(ourGraph(doc))
    expect(r.class).toBe(doc.style === 'sequential' ? 'Sequential' : 'Functional')
    expect(r.history.loss).toHaveLength(1)
    expect(Number.isFinite(r.history.loss![0])).toBe(true)
    // Compiled and fitted with the document's settings (the epochs cut to one here).
    expect(r.compile.optimizer).toBe('Adam')
    expect(r.compile.learning_rate).toBeCloseTo(doc.compile.learningRate, 7)
    expect(r.compile.loss).toEqual(doc.compile.loss)
    expect(r.compile.metrics).toEqual(doc.compile.metrics)
    expect(r.fit).toMatchObject({
      epochs: 1,
      batch_size: doc.training.batchSize,
      validation_split: doc.training.validationSplit,
      shuffle: doc.training.shuffle,
    })
    expect(r.history.val_loss).toHaveLength(1)
    expect(r.seed).toBe(doc.training.seed)
    // The samples reach the model in the Input's shape and dtype.
    const input = doc.nodes.find((n) => n.className === 'InputLayer')!
    expect(r.fit.x[0]!.slice(1)).toEqual(input.params.shape)
    expect(r.fit.x_dtype[0]).toBe(input.params.dtype === 'int32' ? 'int32' : 'float32')
  })

  it('a frozen layer is frozen in the Keras JSON and in train.py, with our trainable count', async () => {
    const doc = templates().find(([f]) => f === 'shapes-mlp.netwright.json')![1]
    doc.nodes.find((n) => n.name === 'dense')!.trainable = false
    await loads(doc)
    const path = await exportTrainPy(doc, async () => loadDataset('shapes', { count: 64 }, 1))
    const r = await py().run<ScriptRun>('result = run_script(path, 1)', { path })
    expect(theirs(r.counts)).toEqual(ourCounts(doc))
    expect(r.counts.layers.dense!.trainable).toBe(0)
  })

  it('a variable-length Input (None) loads in Keras and its train.py trains on the padded data', async () => {
    const doc = templates().find(([f]) => f === 'imdb-lstm.netwright.json')![1]
    doc.nodes.find((n) => n.className === 'InputLayer')!.params.shape = [null] as never
    await loads(doc)
    const r = await py().run<ScriptRun>('result = run_script(path, 1)', { path: await exportTrainPy(doc) })
    expect(theirs(r.counts)).toEqual(ourCounts(doc))
    expect(r.history.loss).toHaveLength(1)
  })

  it("train.py trains with the document's callbacks as Keras's own: EarlyStopping ends it, the best epoch is kept", async () => {
    const doc = templates().find(([f]) => f === 'shapes-mlp.netwright.json')![1]
    doc.training.callbacks = CallbackSchema.array().parse([
      // min_delta 10: only the first epoch counts as an improvement, so the run ends after the second.
      { class_name: 'EarlyStopping', config: { patience: 1, min_delta: 10, restore_best_weights: true } },
      { class_name: 'ModelCheckpoint', config: { monitor: 'val_accuracy' } },
      { class_name: 'ExponentialDecay', config: { decay_steps: 2, decay_rate: 0.5, staircase: true } },
    ])
    const path = await exportTrainPy(doc, async () => loadDataset('shapes', { count: 64 }, 1))
    const r = await py().run<ScriptRun>('result = run_script(path, 20)', { path })
    expect(r.history.loss).toHaveLength(2)
    expect(existsSync(join(dirname(path), 'best.keras'))).toBe(true)
  })

  it("a CSV's held-back test rows are saved with train.py's data, and it evaluates on them", async () => {
    const doc = templates().find(([f]) => f === 'keras-first-example.netwright.json')![1]
    const rows = Array.from({ length: 50 }, (_, i) => `${(i % 7) / 3},${i % 2 ? 'a' : 'b'},${i % 2}`)
    const table = parseCsv(`x,kind,label\n${rows.join('\n')}\n`, 't.csv', { target: 'label' })
    const data = encodeCsv(table, { test_split: 0.2 }, 1)
    doc.nodes.find((n) => n.className === 'InputLayer')!.params.shape = [3]
    doc.dataset = { id: 'csv', options: {} }
    const path = await exportTrainPy(doc, async () => data)
    const r = await py().run<ScriptRun>('result = run_script(path, 1)', { path })
    expect(r.fit.x[0]![0]).toBe(40)
    expect(r.fit.evaluated_rows).toBe(10)
  })

  it('a two-input model on a one-input dataset: export refuses the script, as Train refuses the run', async () => {
    const doc = templates().find(([f]) => f === 'two-inputs.netwright.json')![1]
    doc.dataset = { id: 'shapes', options: {} }
    await expect(
      exportModel({
        doc,
        format: 'python',
        folder: mkdtempSync(join(tmpdir(), 'netwright-keras-')),
        name: 'train',
        loadData: async () => loadDataset('shapes', { count: 20 }, 1),
      }),
    ).rejects.toThrow(/This dataset feeds one input, but the model has 2 Input layers/)
  })

  const gru = (resetAfter: boolean): [string, NetDocument] => [
    `GRU reset_after=${resetAfter ? 'True' : 'False'}`,
    {
      ...docFor([6, 3], 'GRU', { units: 4, reset_after: resetAfter, return_sequences: true }, true),
      style: 'sequential',
    } as NetDocument,
  ]
  it.each([...templates(), gru(true), gru(false)])(
    '%s: the .keras export loads in keras.models.load_model and predicts what Netwright predicts',
    async (_f, doc) => {
      const { tf } = await chooseBackend('cpu')
      const a = analyze(doc)
      const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc, a) as never })
      const dir = mkdtempSync(join(tmpdir(), 'netwright-dotkeras-'))
      await model.save(fileSaver(join(dir, 'run')))
      // A batch of 3 samples for each Input: word indices where an Embedding reads them.
      const inputs = a.inputs.map((id, k) => {
        const shape = [3, ...(a.nodes[id]!.outputShape!.slice(1) as number[])]
        const n = shape.reduce((x, y) => x * y, 1)
        const ints = a.nodes[id]!.dtype === 'int32'
        const values = Array.from({ length: n }, (_, i) =>
          ints ? (i * 37 + k) % 100 : Math.sin(i * 1.7 + k),
        )
        return { shape, values, dtype: ints ? 'int32' : 'float32' }
      })
      const xs = inputs.map((x) => tf.tensor(x.values, x.shape, x.dtype as 'float32'))
      const out = model.predict(xs.length === 1 ? xs[0]! : xs)
      const ours = (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()))
      tf.dispose([...xs, ...(Array.isArray(out) ? out : [out])])
      model.dispose()
      const r = await exportModel({
        doc,
        format: 'keras',
        folder: dir,
        name: 'model',
        weights: join(dir, 'run', 'model.json'),
      })
      writeFileSync(join(dir, 'inputs.json'), JSON.stringify(inputs))
      const theirsOut = await py().run<number[][]>(
        `import keras
m = keras.models.load_model(path)
xs = [np.array(x["values"], dtype=x["dtype"]).reshape(x["shape"]) for x in json.load(open(inputs))]
out = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
result = [np.asarray(o).reshape(-1).tolist() for o in (out if isinstance(out, (list, tuple)) else [out])]`,
        { path: r.files[0], inputs: join(dir, 'inputs.json') },
      )
      expect(theirsOut.length).toBe(ours.length)
      const worst = Math.max(...ours.flatMap((o, i) => o.map((v, j) => Math.abs(v - theirsOut[i]![j]!))))
      expect(worst).toBeLessThan(1e-5)
    },
  )
})
