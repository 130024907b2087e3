import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { toKerasConfig } from '../../shared/keras/config'
import { openModelText } from '../../shared/keras/import'
import { shapesDoc, twoOutputsDoc } from '../../shared/testing'
import { loadDataset } from '../datasets/builtins'
import { templatesDir } from '../hosts/paths'
import { chooseBackend } from '../trainer/backends'
import { disposeModel, train } from '../trainer/engine'
import { exportFiles, exportModel } from './index'
import { kerasModelJson } from './keras-json'
import { pythonScript } from './python'
import { fileLoader, fileSaver, readTfjsModel } from './tfjs-io'

const templates = (): [string, NetDocument][] =>
  readdirSync(templatesDir())
    .filter((f) => f.endsWith('.netwright.json'))
    .map((f) => [f, parseDocument(readFileSync(join(templatesDir(), f), 'utf8'), f)])

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `netwright-${prefix}-`))

describe('TensorFlow.js model files', async () => {
  const { tf } = await chooseBackend()

  it('saves a trained model over fs and loads it back with the same predictions', async () => {
    const doc = shapesDoc()
    const data = loadDataset('shapes', { count: 120 }, 3)
    const r = await train(
      tf,
      { modelConfig: toKerasConfig(doc), compile: doc.compile, training: { ...doc.training, epochs: 1 } },
      data,
    )
    const dir = tmp('tfjs')
    await r.model.save(fileSaver(dir))
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'model.weights.bin'])
    const loaded = await tf.loadLayersModel(fileLoader(await readTfjsModel(join(dir, 'model.json'))))
    const batch = tf.tensor(data.x.slice(0, 8 * 784), [8, 28, 28])
    const a = r.model.predict(batch) as import('@tensorflow/tfjs').Tensor
    const b = loaded.predict(batch) as import('@tensorflow/tfjs').Tensor
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()))
    tf.dispose([batch, a, b])
    loaded.dispose()
    disposeModel(r.model)
  })

  it('says which weights file is missing, and when the bytes do not match the manifest', async () => {
    const dir = tmp('tfjs-bad')
    const doc = shapesDoc()
    const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc) as never })
    await model.save(fileSaver(dir))
    model.dispose()
    const bin = join(dir, 'model.weights.bin')
    const bytes = readFileSync(bin)
    writeFileSync(bin, bytes.subarray(0, 100))
    await expect(readTfjsModel(join(dir, 'model.json'))).rejects.toThrow(
      /do not hold the \d+ bytes its manifest describes/,
    )
    execFileSync('rm', [bin])
    await expect(readTfjsModel(join(dir, 'model.json'))).rejects.toThrow(
      /The weights file model.weights.bin that model.json names is missing/,
    )
  })
})

describe('Keras model JSON', () => {
  it.each(templates())('%s: the architecture and training config read back to the same model', (_f, doc) => {
    const text = kerasModelJson(doc)
    const json = JSON.parse(text)
    expect(json.training_config.optimizer_config).toEqual({
      class_name: 'Adam',
      config: {
        name: 'Adam',
        learning_rate: doc.compile.learningRate,
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-7,
        amsgrad: false,
      },
    })
    expect(text).not.toMatch(/learningRate|beta1/)
    const back = openModelText(text, 'model.keras.json').document
    expect(toKerasConfig(back).config.layers).toEqual(toKerasConfig(doc).config.layers)
    expect(back.compile.loss).toBe(doc.compile.loss)
    expect(back.compile.metrics).toEqual(doc.compile.metrics)
    expect(back.compile.learningRate).toBe(doc.compile.learningRate)
  })

  it("keeps each output's loss and loss weight of a model with two outputs", () => {
    const doc = twoOutputsDoc(1, 'sigmoid')
    doc.compile.outputs = {
      dense_1: { loss: 'sparse_categorical_crossentropy', weight: 1 },
      aux: { loss: 'binary_crossentropy', weight: 0.5 },
    }
    const json = JSON.parse(kerasModelJson(doc))
    expect(json.training_config.loss).toEqual({
      dense_1: 'sparse_categorical_crossentropy',
      aux: 'binary_crossentropy',
    })
    expect(json.training_config.loss_weights).toEqual({ dense_1: 1, aux: 0.5 })
    const back = openModelText(JSON.stringify(json), 'two-outputs.json').document
    expect(back.compile.outputs).toEqual(doc.compile.outputs)
    expect(toKerasConfig(back).config).toEqual(toKerasConfig(doc).config)
  })

  it('writes SGD and RMSprop with Keras parameter names', () => {
    const doc = shapesDoc()
    doc.compile.optimizer = 'rmsprop'
    expect(JSON.parse(kerasModelJson(doc)).training_config.optimizer_config).toMatchObject({
      class_name: 'RMSprop',
      config: { learning_rate: 0.001, rho: 0.9 },
    })
  })
})

describe('the Python script text', () => {
  it('names where tf.distribute goes and how to load the weights trained here', () => {
    const text = pythonScript(shapesDoc(), { kind: 'keras', id: 'mnist', options: {} })
    expect(text).toContain('tf.distribute.MirroredStrategy()')
    expect(text).toContain(
      'tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras_keras',
    )
    expect(text).toContain('keras.datasets.mnist.load_data()')
  })
})

describe('export', () => {
  it('draws the diagram as SVG with names, shapes and parameter counts, and as PNG', async () => {
    const doc = shapesDoc()
    const { files } = await exportFiles({ doc, format: 'svg', folder: '', name: 'diagram' })
    const svg = String(files[0]!.data)
    expect(svg).toMatch(/^<svg/)
    for (const s of ['dense_1', 'Dense', '(None, 128)', '100,480 params', 'Total params: 100,867'])
      expect(svg).toContain(s)
    const png = await exportFiles({ doc, format: 'png', folder: '', name: 'diagram' })
    const bytes = png.files[0]!.data as Uint8Array
    expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10])
    expect(png.files[0]!.name).toBe('diagram.png')
  })

  it('refuses a name with a path separator, and a tfjs export without weights, writing nothing', async () => {
    const dir = tmp('refuse')
    await expect(
      exportModel({ doc: shapesDoc(), format: 'svg', folder: dir, name: '../evil' }),
    ).rejects.toThrow(/contains a path separator/)
    await expect(
      exportModel({ doc: shapesDoc(), format: 'tfjs', folder: dir, name: 'model' }),
    ).rejects.toThrow(/There are no trained weights to export yet/)
    expect(readdirSync(dir)).toEqual([])
  })

  it.skipIf(process.getuid?.() === 0)(
    'says a folder is not writable, and leaves nothing half-written',
    async () => {
      const dir = tmp('ro')
      chmodSync(dir, 0o500)
      await expect(
        exportModel({ doc: shapesDoc(), format: 'keras-json', folder: dir, name: 'm' }),
      ).rejects.toThrow(/is not writable/)
      expect(readdirSync(dir)).toEqual([])
    },
  )

  it('says a folder is not writable even for root (a path under a file)', async () => {
    const dir = tmp('file')
    writeFileSync(join(dir, 'plain'), 'x')
    await expect(
      exportModel({ doc: shapesDoc(), format: 'keras-json', folder: join(dir, 'plain', 'sub'), name: 'm' }),
    ).rejects.toThrow(/is a file, not a folder|Cannot create the folder/)
    expect(existsSync(join(dir, 'plain', 'sub'))).toBe(false)
  })

  it('refuses to export a model with problems, listing them', async () => {
    const doc = shapesDoc()
    doc.edges = doc.edges.slice(1)
    await expect(exportModel({ doc, format: 'python', folder: tmp('bad'), name: 'train' })).rejects.toThrow(
      /problem/,
    )
  })
})
