// Import checked against files the real Keras 3 writes at test time (one Python process for the
// file): every palette layer comes back from Keras's own to_json() as it went, each feature Keras
// writes imports with Keras's counts or says which layer lost which setting, and every setting of
// every layer config Keras writes is either read, neutral, or reported. Without a Python that has
// Keras these checks say they skipped and why.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyze } from '../shared/graph/analyze'
import type { NetDocument } from '../shared/graph/schema'
import { toKerasConfig } from '../shared/keras/config'
import { openModelText } from '../shared/keras/import'
import { layerSpec } from '../shared/layers'
import { readKerasFile } from './export/keras-file'
import { kerasModelJson } from './export/keras-json'
import { kerasWeightsToTfjs, tfjs } from './export/keras-weights'
import { loadWeightsInto } from './trainer/weights'
import { pythonWith, skipReason, usePython, type KerasCounts } from './testing/python'
import { CASES, docFor } from './trainer/layer-cases'

const MODULES = ['keras', 'tensorflow']
const python = pythonWith(...MODULES)
if (!python) console.warn(`Real-Keras import checks skipped: ${skipReason(MODULES)}`)

type Json = Record<string, unknown>
const caseDoc = (input: number[], cls: string, params: Json, second?: number[]) =>
  ({
    ...docFor(input, cls, params as never, false, second),
    style: second ? 'functional' : 'sequential',
  }) as NetDocument

/** Keras's to_json() of the model our export describes, and Keras's counts of it. */
const THROUGH_KERAS = `
import keras
model = keras.models.model_from_json(text)
result = {"json": model.to_json(), "counts": counts(model)}
`

/** Fixtures: models written by real Keras with each feature users bring (see issue: import fidelity). */
const FEATURES: [label: string, code: string, kept: boolean][] = [
  [
    'a frozen layer (trainable=False), as in transfer learning',
    `d = layers.Dense(8, activation="relu", name="frozen"); d.trainable = False
model = keras.Sequential([keras.Input((4,)), d, layers.Dense(2, name="head")])`,
    true,
  ],
  [
    "LeakyReLU's negative_slope (Keras 3's name for alpha)",
    'model = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.LeakyReLU(negative_slope=0.2, name="leaky")])',
    true,
  ],
  [
    'an Embedding fed a float32 Input (as Keras 2 files write it)',
    'model = keras.Sequential([keras.Input((10,)), layers.Embedding(50, 4, name="emb"), layers.LSTM(3), layers.Dense(1)])',
    true,
  ],
  [
    "variable-length sequences (an Input of shape None, as in Keras's text examples)",
    'model = keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(100, 8), layers.LSTM(4, return_sequences=True), layers.Conv1D(3, 3), layers.GlobalMaxPooling1D(), layers.Dense(1)])',
    true,
  ],
  [
    'ReLU6 (max_value), as in MobileNetV2',
    'model = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.ReLU(max_value=6.0, name="relu6")])',
    true,
  ],
  [
    'an L2 kernel regularizer',
    'model = keras.Sequential([keras.Input((4,)), layers.Dense(3, kernel_regularizer=keras.regularizers.L2(0.01), name="reg")])',
    false,
  ],
  [
    'mask_zero on an Embedding',
    'model = keras.Sequential([keras.Input((10,), dtype="int32"), layers.Embedding(50, 4, mask_zero=True, name="emb"), layers.LSTM(3)])',
    true,
  ],
  [
    "an LSTM's hard_sigmoid recurrent activation",
    'model = keras.Sequential([keras.Input((5, 3)), layers.LSTM(4, recurrent_activation="hard_sigmoid", name="lstm")])',
    false,
  ],
  [
    'GRU reset_after=True (the default since Keras 2)',
    'model = keras.Sequential([keras.Input((5, 3)), layers.GRU(4, name="gru")])',
    true,
  ],
  [
    'uneven ZeroPadding2D ((0, 1), (0, 1))',
    'model = keras.Sequential([keras.Input((6, 6, 1)), layers.ZeroPadding2D(((0, 1), (0, 1)), name="pad"), layers.Flatten(), layers.Dense(2)])',
    true,
  ],
  [
    'a HeNormal kernel initializer',
    'model = keras.Sequential([keras.Input((4,)), layers.Dense(3, kernel_initializer="he_normal", name="he")])',
    false,
  ],
]

describe.skipIf(!python)(`import, with real Keras (${python ?? 'none'})`, () => {
  const py = usePython(python!, 'import keras, tensorflow')

  it.each(CASES)(
    '%s: what Keras writes of it imports as it went, with no warning',
    async (_l, input, cls, params, second) => {
      const doc = caseDoc(input, cls, params, second)
      const r = await py().run<{ json: string; counts: KerasCounts }>(THROUGH_KERAS, {
        text: kerasModelJson(doc),
      })
      const { document, warnings } = openModelText(r.json, 'model.json')
      expect(warnings).toEqual([])
      expect(toKerasConfig(document).config.layers).toEqual(toKerasConfig(doc).config.layers)
      const a = analyze(document)
      expect([a.totalParams, a.trainableParams]).toEqual([r.counts.total, r.counts.trainable])
    },
  )

  it.each(FEATURES)("%s: imports with Keras's counts, or says what it left out", async (_l, code, kept) => {
    const r = await py().run<{ json: string; counts: KerasCounts }>(
      `import keras\nfrom keras import layers\n${code}\nresult = {"json": model.to_json(), "counts": counts(model)}`,
    )
    const { document, warnings } = openModelText(r.json, 'model.json')
    const a = analyze(document)
    if (kept) {
      expect(warnings).toEqual([])
      expect(a.problems).toEqual([])
      expect([a.totalParams, a.trainableParams]).toEqual([r.counts.total, r.counts.trainable])
    } else {
      // Counted as Keras counts it still, and the warning names the layer and what was left out.
      expect([a.totalParams, a.trainableParams]).toEqual([r.counts.total, r.counts.trainable])
      const named = Object.keys(r.counts.layers).filter((n) => !/^input/.test(n) && code.includes(`"${n}"`))
      expect(named.length).toBeGreaterThan(0)
      for (const n of named)
        expect(warnings.some((w) => w.startsWith(`${n}:`) || w.startsWith(`${n} `))).toBe(true)
    }
  })

  it("Keras 3's operation layers (NotEqual, as a mask writes it) are shown and named, not dropped", async () => {
    const r = await py().run<{ json: string }>(`import keras
from keras import layers
inp = keras.Input((10,), dtype="int32", name="words")
x = layers.Embedding(50, 4, name="emb")(inp)
mask = keras.ops.expand_dims(keras.ops.cast(keras.ops.not_equal(inp, 0), "float32"), -1)
model = keras.Model(inp, layers.Multiply(name="masked")([x, mask]))
result = {"json": model.to_json()}`)
    const { document, warnings } = openModelText(r.json, 'masked.json')
    const notEqual = document.nodes.find((n) => n.className === 'NotEqual')
    expect(notEqual).toBeDefined()
    expect(warnings).toContain(
      `${notEqual!.name}: the layer type NotEqual is not supported; it is shown so you can replace it.`,
    )
    expect(analyze(document).problems.some((p) => p.nodeId === notEqual!.id)).toBe(true)
  })

  it('every setting Keras writes for every palette layer is read, neutral, or reported', async () => {
    // Keras's own configs of each layer class, from its to_json() of each palette case.
    const configs = new Map<string, { config: Json; doc: string }>()
    for (const [, input, cls, params, second] of CASES) {
      if (configs.has(cls)) continue
      const r = await py().run<{ json: string }>(THROUGH_KERAS, {
        text: kerasModelJson(caseDoc(input, cls, params, second)),
      })
      configs.set(cls, { config: {}, doc: r.json })
    }
    const silent: string[] = []
    let walked = 0
    for (const [cls, { doc }] of configs) {
      const spec = layerSpec(cls)!
      const model = JSON.parse(doc) as { config: { layers: { class_name: string; config: Json }[] } }
      const layer = model.config.layers.find((l) => l.class_name === cls)!
      for (const key of Object.keys(layer.config)) {
        if (key in spec.params || key === 'name' || key === 'dtype') continue
        walked++
        const changed = structuredClone(model)
        const l = changed.config.layers.find((x) => x.class_name === cls)!
        l.config[key] = '__set_by_the_test__'
        const { warnings } = openModelText(JSON.stringify(changed), 'model.json')
        const name = String(l.config.name)
        if (!warnings.some((w) => w.startsWith(`${name}`) && w.includes(key))) silent.push(`${cls}.${key}`)
      }
    }
    expect(walked).toBeGreaterThan(100)
    expect(silent).toEqual([])
  })

  /** A model with weights of most kinds, saved by real Keras, with its prediction of a fixed batch. */
  const SAVED = `
import keras, numpy as np
from keras import layers
keras.utils.set_random_seed(3)
img = keras.Input((8, 8, 1), name="img")
x = layers.Conv2D(4, 3, activation="relu", name="conv")(img)
x = layers.BatchNormalization(name="bn")(x)
x = layers.ReLU(max_value=6.0, name="relu6")(x)
x = layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2, name="relu_all")(x)
x = layers.SeparableConv2D(3, 3, name="sep")(x)
x = layers.Reshape((4, 12), name="seq")(x)
x = layers.Bidirectional(layers.LSTM(3, return_sequences=True), name="bi")(x)
x = layers.GRU(3, reset_after=False, return_sequences=True, name="gru_v1")(x)
x = layers.GRU(2, name="gru")(x)
out = layers.Dense(3, activation="softmax", name="out")(x)
model = keras.Model(img, out, name="saved")
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
xs = np.random.default_rng(1).normal(size=(16, 8, 8, 1)).astype("float32")
# Every weight away from its initial value (the moving statistics too), without the time a fit takes.
for w in model.weights:
    w.assign(np.random.default_rng(7).uniform(0.2, 0.9, size=w.shape).astype("float32") * np.where(np.arange(int(np.prod(w.shape))).reshape(w.shape) % 2, 1, -1) if "variance" not in w.path else np.random.default_rng(8).uniform(0.5, 2, size=w.shape).astype("float32"))
model.save(os.path.join(folder, "saved.keras"))
model.save(os.path.join(folder, "saved.h5"))
np.save(os.path.join(folder, "x.npy"), xs)
result = {"predicted": model.predict(xs, verbose=0).tolist(), "counts": counts(model)}
`

  it('a masked text model (mask_zero → LSTM, → Bidirectional GRU) predicts on padded sequences as Keras does', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'netwright-mask-'))
    const r = await py().run<{ predicted: number[][] }>(
      `import keras, numpy as np
from keras import layers
keras.utils.set_random_seed(4)
inp = keras.Input((12,), dtype="int32", name="words")
x = layers.Embedding(30, 5, mask_zero=True, name="emb")(inp)
a = layers.LSTM(3, name="lstm")(x)
b = layers.Bidirectional(layers.GRU(2, reset_after=False), name="bi")(x)
model = keras.Model(inp, layers.Concatenate(name="cat")([a, b]), name="masked")
xs = np.array([[0] * k + list(range(1, 13 - k)) for k in range(6)], dtype="int32")
model.save(os.path.join(folder, "masked.keras"))
result = {"predicted": model.predict(xs, verbose=0).tolist()}`,
      { folder },
    )
    const k = await readKerasFile(new Uint8Array(readFileSync(join(folder, 'masked.keras'))), 'masked.keras')
    const { document, warnings } = openModelText(JSON.stringify(k.config), 'masked.keras')
    expect(warnings).toEqual([])
    expect(analyze(document).problems).toEqual([])
    const files = await kerasWeightsToTfjs(toKerasConfig(document), k.weights, 'masked.keras')
    const tf = await tfjs()
    const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(document) as never })
    loadWeightsInto(tf as never, model, files, 'masked.keras')
    const xs = Array.from({ length: 6 }, (_, k) => [
      ...new Array(k).fill(0),
      ...Array.from({ length: 12 - k }, (_, i) => i + 1),
    ])
    const got = (
      model.predict(tf.tensor(xs, [6, 12], 'int32')) as import('@tensorflow/tfjs').Tensor
    ).arraySync() as number[][]
    const worst = Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - r.predicted[i]![j]!))))
    expect(worst).toBeLessThan(1e-5)
    model.dispose()
  })

  let saved: Promise<{ folder: string; r: { predicted: number[][]; counts: KerasCounts } }> | undefined
  const savedOnce = () =>
    (saved ??= (async () => {
      const folder = mkdtempSync(join(tmpdir(), 'netwright-kerasfile-'))
      return { folder, r: await py().run<{ predicted: number[][]; counts: KerasCounts }>(SAVED, { folder }) }
    })())

  it.each(['saved.keras', 'saved.h5'])(
    'a %s written by real Keras opens with its weights and predicts what Keras predicts',
    async (file) => {
      const { folder, r } = await savedOnce()
      const k = await readKerasFile(new Uint8Array(readFileSync(join(folder, file))), file)
      const { document, warnings } = openModelText(JSON.stringify(k.config), file)
      expect(warnings).toEqual([])
      const a = analyze(document)
      expect([a.totalParams, a.trainableParams]).toEqual([r.counts.total, r.counts.trainable])
      const files = await kerasWeightsToTfjs(toKerasConfig(document), k.weights, file)
      const tf = await tfjs()
      const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(document) as never })
      loadWeightsInto(tf as never, model, files, file)
      const npy = readFileSync(join(folder, 'x.npy'))
      const header = npy.readUInt16LE(8)
      const xs = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + header, npy.byteOffset + npy.length))
      const got = (
        model.predict(tf.tensor(xs, [16, 8, 8, 1])) as import('@tensorflow/tfjs').Tensor
      ).arraySync() as number[][]
      const worst = Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - r.predicted[i]![j]!))))
      expect(worst).toBeLessThan(1e-5)
      model.dispose()
    },
  )
})
