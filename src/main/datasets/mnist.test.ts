// The real MNIST test set, through our IDX reader and our trainer, on the wasm backend: an MLP trained on
// its first 8,000 digits classifies the last 2,000.
import { describe, expect, it } from 'vitest'
import type { NetDocument } from '../../shared/graph/schema'
import { toKerasConfig } from '../../shared/keras/config'
import { shapesDoc } from '../../shared/testing'
import { SHARED_MNIST } from './testing'
import { chooseBackend } from '../trainer/backends'
import { disposeModel, train } from '../trainer/engine'
import { readIdxDataset } from './mnist'
import type { LoadedDataset } from './builtins'

const slice = (d: LoadedDataset, from: number, to: number): LoadedDataset => {
  const size = d.sampleShape.reduce((a, b) => a * b, 1)
  return { ...d, x: d.x.subarray(from * size, to * size), y: d.y.subarray(from, to) }
}

describe('MNIST from ../shared on wasm', () => {
  it(
    'an MLP trained on the first 8,000 digits reaches at least 95% on the last 2,000',
    { timeout: 120_000 },
    async () => {
      const data = await readIdxDataset(
        SHARED_MNIST,
        {
          images: 't10k-images-idx3-ubyte.gz',
          labels: 't10k-labels-idx1-ubyte.gz',
        },
        'mnist-test',
      )
      const doc: NetDocument = {
        ...shapesDoc(),
        nodes: [
          {
            id: 'in',
            className: 'InputLayer',
            name: 'input',
            params: { shape: [28, 28] },
            position: { x: 0, y: 0 },
          },
          { id: 'f', className: 'Flatten', name: 'flatten', params: {}, position: { x: 0, y: 0 } },
          {
            id: 'h',
            className: 'Dense',
            name: 'dense',
            params: { units: 256, activation: 'relu' },
            position: { x: 0, y: 0 },
          },
          {
            id: 'o',
            className: 'Dense',
            name: 'dense_1',
            params: { units: 10, activation: 'softmax' },
            position: { x: 0, y: 0 },
          },
        ],
        edges: [
          { id: 'a', source: 'in', target: 'f', targetPort: 0 },
          { id: 'b', source: 'f', target: 'h', targetPort: 0 },
          { id: 'c', source: 'h', target: 'o', targetPort: 0 },
        ],
      }
      const { tf, name } = await chooseBackend('wasm')
      expect(name).toBe('wasm')
      const r = await train(
        tf,
        {
          modelConfig: toKerasConfig(doc),
          compile: doc.compile,
          training: { ...doc.training, epochs: 8, validationSplit: 0 },
        },
        slice(data, 0, 8000),
      )
      const test = slice(data, 8000, 10_000)
      const accuracy = tf.tidy(() => {
        const x = tf.tensor(test.x, [2000, 28, 28])
        const predicted = (r.model.predict(x) as import('@tensorflow/tfjs').Tensor).argMax(-1)
        return predicted.equal(tf.tensor1d(test.y, 'int32')).mean().dataSync()[0]!
      })
      disposeModel(r.model)
      expect(accuracy).toBeGreaterThanOrEqual(0.95)
    },
  )
})
