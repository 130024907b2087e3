import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../shared/graph/load'
import { templatesDir } from '../hosts/paths'
import type { NetDocument } from '../../shared/graph/schema'
import { toKerasConfig } from '../../shared/keras/config'
import { shapesDoc, twoOutputsDoc } from '../../shared/testing'
import { loadDataset } from '../datasets/builtins'
import { chooseBackend } from './backends'
import { checkDataFits } from './outputs'
import { batchSource, buildModel, disposeModel, train, type TrainJob } from './engine'

const job = (patch: Partial<TrainJob['training']> = {}, doc = shapesDoc()): TrainJob => ({
  modelConfig: toKerasConfig(doc),
  compile: doc.compile,
  training: { ...doc.training, epochs: 2, ...patch },
})

describe('the training engine', async () => {
  const { tf, name } = await chooseBackend()
  const data = loadDataset('shapes', { count: 300 }, 1)

  it(`trains on ${name}, reports batches and epochs, and leaves no tensor behind`, async () => {
    const baseline = tf.memory().numTensors
    const epochs: number[] = []
    const confusions: number[][][] = []
    let batches = 0
    const r = await train(tf, job(), data, {
      onEpoch: (p) => {
        epochs.push(p.epoch)
        confusions.push(p.confusion!)
      },
      onBatch: () => batches++,
      batchReportMs: 0,
    })
    disposeModel(r.model)
    expect(epochs).toEqual([1, 2])
    // Each epoch's validation confusion matrix counts the 60 validation rows, by their true class.
    for (const m of confusions) expect(m.flat().reduce((a, b) => a + b, 0)).toBe(60)
    const byClass = [0, 1, 2].map((c) => Array.from(data.y.subarray(240)).filter((y) => y === c).length)
    expect(confusions[1]!.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(byClass)
    expect(batches).toBe(2 * Math.ceil(240 / 32))
    expect(r.final).toHaveProperty('val_accuracy')
    expect(r.final).toHaveProperty('loss')
    expect(tf.memory().numTensors).toBe(baseline)
  })

  it('keeps a frozen layer (trainable: false) as it started, and trains the others', async () => {
    const doc = shapesDoc()
    const dense = doc.nodes.find((n) => n.name === 'dense')!
    dense.trainable = false
    const start = await buildModel(tf, { modelConfig: toKerasConfig(doc), compile: doc.compile })
    let saved: import('@tensorflow/tfjs').io.ModelArtifacts | undefined
    await start.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
      }),
    )
    const before = start.layers.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())))
    const init = {
      source: 'the test',
      files: {
        modelJson: { modelTopology: saved!.modelTopology as object, weightsManifest: [] },
        weightSpecs: saved!.weightSpecs!,
        weightData: new Uint8Array(saved!.weightData as ArrayBuffer),
      },
    }
    const r = await train(tf, { ...job({ epochs: 2 }, doc), init }, data)
    const after = r.model.layers.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())))
    const names = r.model.layers.map((l) => l.name)
    // The largest change of any weight of a layer (compared as one number: the arrays are large).
    const moved = (name: string) => {
      const i = names.indexOf(name)
      return Math.max(...after[i]!.flatMap((w, k) => w.map((v, j) => Math.abs(v - before[i]![k]![j]!))))
    }
    expect(moved('dense')).toBe(0)
    expect(moved('dense_1')).toBeGreaterThan(1e-4)
    disposeModel(start)
    disposeModel(r.model)
  })

  it('trains an Embedding fed float word indices (a Keras 2 Input), casting them as Keras does', async () => {
    const n = 64
    const x = Int32Array.from({ length: n * 5 }, (_, i) => (i * 7) % 20)
    const y = Int32Array.from({ length: n }, (_, i) => x[i * 5]! % 2)
    const text = { id: 'words', x, sampleShape: [5], y, classes: ['a', 'b'] }
    const doc: NetDocument = {
      ...shapesDoc(),
      nodes: [
        { id: 'in', className: 'InputLayer', name: 'in', params: { shape: [5] }, position: { x: 0, y: 0 } },
        {
          id: 'emb',
          className: 'Embedding',
          name: 'emb',
          params: { input_dim: 20, output_dim: 4 },
          position: { x: 0, y: 0 },
        },
        { id: 'f', className: 'Flatten', name: 'f', params: {}, position: { x: 0, y: 0 } },
        {
          id: 'out',
          className: 'Dense',
          name: 'out',
          params: { units: 2, activation: 'softmax' },
          position: { x: 0, y: 0 },
        },
      ],
      edges: [
        { id: 'a', source: 'in', target: 'emb', targetPort: 0 },
        { id: 'b', source: 'emb', target: 'f', targetPort: 0 },
        { id: 'c', source: 'f', target: 'out', targetPort: 0 },
      ],
    }
    const r = await train(tf, job({ epochs: 3, validationSplit: 0 }, doc), text)
    expect(Number.isFinite(r.final.loss)).toBe(true)
    disposeModel(r.model)
    // An Input whose length the data sets (None): trained on the dataset's length, 5.
    // (Flatten cannot unroll an unknown length; pooling over the steps can.)
    doc.nodes[0]!.params = { shape: [null], dtype: 'int32' } as never
    doc.nodes[2]!.className = 'GlobalAveragePooling1D'
    const v = await train(tf, job({ epochs: 1, validationSplit: 0 }, doc), text)
    expect(Number.isFinite(v.final.loss)).toBe(true)
    disposeModel(v.model)
    // A rank the data does not have is refused, saying so.
    expect(() => checkDataFits([[null, 5]], [5], 'words')).toThrow(
      /expects samples of shape \[None, 5\], but the dataset "words" gives \[5\]/,
    )
  })

  it('evaluates the rows a dataset holds back as its test set, once, after training', async () => {
    const held = loadDataset('shapes', { count: 60 }, 9)
    const withTest = { ...data, test: { x: Float32Array.from(held.x), y: held.y } }
    const r = await train(tf, job({ epochs: 1 }), withTest)
    expect(Number.isFinite(r.final.test_loss)).toBe(true)
    expect(r.final.test_accuracy).toBeGreaterThanOrEqual(0)
    expect(
      Object.keys(r.final)
        .filter((k) => k.startsWith('test_'))
        .sort(),
    ).toEqual(['test_accuracy', 'test_loss'])
    // The evaluation behind those figures: every test row in the matrix, its diagonal the accuracy.
    const e = r.evaluation!
    expect(e).toMatchObject({ split: 'test', count: 60, task: 'classification', output: 'dense_1' })
    expect(e.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(60)
    expect(e.metrics.accuracy).toBeCloseTo(e.confusion!.reduce((a, row, i) => a + row[i]!, 0) / 60, 10)
    expect(e.metrics.accuracy).toBe(r.final.test_accuracy)
    expect(e.actual).toEqual(Array.from(held.y))
    disposeModel(r.model)
  })

  it('evaluates a stopped run too', async () => {
    let batches = 0
    const stopped = await train(tf, job({ epochs: 50 }), data, {
      batchReportMs: 0,
      onBatch: () => batches++,
      shouldStop: () => batches >= 12,
    })
    expect(stopped.stopped).toBe(true)
    expect(stopped.epochsDone).toBeGreaterThanOrEqual(1)
    expect(stopped.epochsDone).toBeLessThan(50)
    expect(stopped.evaluation?.count).toBe(60)
    disposeModel(stopped.model)
  })

  it('gives the same run from the same seed (weights, shuffling), and another from another seed', async () => {
    const losses = async (seed: number) => {
      const out: number[] = []
      const r = await train(tf, job({ epochs: 2, seed }), data, { onEpoch: (p) => out.push(p.logs.loss!) })
      disposeModel(r.model)
      return out
    }
    const a = await losses(5)
    expect(await losses(5)).toEqual(a)
    expect(await losses(6)).not.toEqual(a)
  })

  it('trains a model with two Inputs on a dataset with two inputs, and refuses it on one with one', async () => {
    const text = readFileSync(join(templatesDir(), 'two-inputs.netwright.json'), 'utf8')
    const doc = parseDocument(text)
    const two = loadDataset('shapes-measured', { count: 90 }, 2)
    expect(two.more![0]!.sampleShape).toEqual([4])
    const r = await train(tf, job({ epochs: 1 }, doc), two)
    expect(Number.isFinite(r.final.val_loss)).toBe(true)
    disposeModel(r.model)
    await expect(train(tf, job({ epochs: 1 }, doc), data)).rejects.toThrow(
      'This dataset feeds one input, but the model has 2 Input layers.',
    )
  })

  it('stops at once when asked, keeping the model trained so far', async () => {
    const baseline = tf.memory().numTensors
    let batches = 0
    const r = await train(tf, job({ epochs: 50 }), data, {
      onBatch: () => batches++,
      batchReportMs: 0,
      shouldStop: () => batches >= 3,
    })
    expect(r.stopped).toBe(true)
    expect(r.epochsDone).toBeLessThanOrEqual(1)
    const shape = tf.tidy(
      () => (r.model.predict(tf.zeros([1, 28, 28])) as import('@tensorflow/tfjs').Tensor).shape,
    )
    expect(shape).toEqual([1, 3])
    disposeModel(r.model)
    expect(tf.memory().numTensors).toBe(baseline)
  })

  it('explains a dataset that does not fit the Input, and leaks nothing', async () => {
    const baseline = tf.memory().numTensors
    const spirals = loadDataset('spirals', {}, 1)
    await expect(train(tf, job(), spirals)).rejects.toThrow(
      'The model\'s Input expects samples of shape [28, 28], but the dataset "spirals" gives [2]',
    )
    expect(tf.memory().numTensors).toBe(baseline)
  })

  it('explains an output layer with the wrong number of units', async () => {
    const doc = shapesDoc()
    doc.nodes[3]!.params.units = 10
    await expect(train(tf, job({}, doc), data)).rejects.toThrow(
      "the dataset has 3 classes. Set the last layer's units to 3",
    )
  })

  it('one-hot encodes labels for categorical_crossentropy', async () => {
    const doc = shapesDoc()
    doc.compile.loss = 'categorical_crossentropy'
    const r = await train(tf, { ...job({ epochs: 1 }, doc), compile: doc.compile }, data)
    disposeModel(r.model)
    expect(r.final.accuracy).toBeGreaterThan(0)
  })

  it('trains a model with two outputs, each with its own loss and weight, and validates both', async () => {
    const doc = twoOutputsDoc()
    doc.compile.outputs = { aux: { loss: 'categorical_crossentropy', weight: 0 } }
    const baseline = tf.memory().numTensors
    const r = await train(tf, { ...job({ epochs: 1 }, doc), compile: doc.compile }, data)
    disposeModel(r.model)
    expect(tf.memory().numTensors).toBe(baseline)
    const f = r.final
    // A weight of 0 silences that output's loss; the total is the sum of the weighted parts.
    expect(f.aux_loss).toBe(0)
    expect(f.val_aux_loss).toBe(0)
    expect(f.loss).toBeCloseTo(f.dense_1_loss!, 5)
    expect(f.val_loss).toBeCloseTo(f.val_dense_1_loss! + f.val_aux_loss!, 5)
    expect(f.val_accuracy).toBe(f.val_dense_1_sparseCategoricalAccuracy)
    expect(f).toHaveProperty('val_aux_categoricalAccuracy')
  })

  it('keeps uint8 images as they are and builds float batches from them: memory does not grow with the data', async () => {
    // 40,000 28×28 images: 31 MB as uint8, 125 MB as a float32 copy.
    const n = 40_000
    const x = new Uint8Array(n * 784)
    const y = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      y[i] = i % 3
      x.fill(60 + 60 * (i % 3), i * 784, i * 784 + 784)
    }
    const big = { id: 'big', x, xScale: 1 / 255, sampleShape: [28, 28], y, classes: ['a', 'b', 'c'] }
    const baseline = tf.memory().numBytes
    let peak = 0
    let batches = 0
    const r = await train(tf, job({ epochs: 1, batchSize: 256, validationSplit: 0.1 }), big, {
      onBatch: () => {
        batches++
        peak = Math.max(peak, tf.memory().numBytes - baseline)
      },
      batchReportMs: 0,
      shouldStop: () => batches >= 8,
    })
    disposeModel(r.model)
    expect(batches).toBe(8)
    expect(peak).toBeGreaterThan(0)
    // Weights, Adam's slots, labels and a few batches: a few MB, far below a float copy of x.
    expect(peak).toBeLessThan(12_000_000)
    expect(tf.memory().numBytes).toBe(baseline)
  })

  it('scales uint8 pixels by xScale when it builds a batch, in the order it is asked', async () => {
    const x = Uint8Array.from({ length: 3 * 784 }, (_, i) => Math.floor(i / 784) * 100)
    const d = {
      id: 'tiny',
      x,
      xScale: 1 / 255,
      sampleShape: [28, 28],
      y: Int32Array.from([0, 1, 2]),
      classes: ['a', 'b', 'c'],
    }
    const model = await buildModel(tf, job())
    const src = batchSource(tf, model, d, shapesDoc().compile)
    const xs = src.x([2, 0]) as import('@tensorflow/tfjs').Tensor
    const [ys] = src.ys([2, 0])
    expect(xs.shape).toEqual([2, 28, 28])
    const v = xs.dataSync()
    expect(v[0]).toBeCloseTo(200 / 255)
    expect(v[784]).toBe(0)
    expect(Array.from(ys!.dataSync())).toEqual([2, 0])
    tf.dispose([xs, ys!])
    src.dispose()
    disposeModel(model)
  })
})
