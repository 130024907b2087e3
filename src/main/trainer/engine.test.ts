import { describe, expect, it } from 'vitest'
import { toKerasConfig } from '../../shared/keras/config'
import { shapesDoc } from '../../shared/testing'
import { loadDataset } from '../datasets/builtins'
import { chooseBackend } from './backends'
import { disposeModel, train, type TrainJob } from './engine'

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
    let batches = 0
    const r = await train(tf, job(), data, {
      onEpoch: (p) => epochs.push(p.epoch),
      onBatch: () => batches++,
      batchReportMs: 0,
    })
    disposeModel(r.model)
    expect(epochs).toEqual([1, 2])
    expect(batches).toBe(2 * Math.ceil(240 / 32))
    expect(r.final).toHaveProperty('val_accuracy')
    expect(r.final).toHaveProperty('loss')
    expect(tf.memory().numTensors).toBe(baseline)
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
    const doc = shapesDoc()
    doc.style = 'functional'
    doc.nodes.push({
      id: 'aux',
      className: 'Dense',
      name: 'aux',
      params: { units: 3, activation: 'softmax' },
      position: { x: 0, y: 0 },
    })
    doc.edges.push({ id: 'ea', source: 'flatten', target: 'aux', targetPort: 0 })
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
})
