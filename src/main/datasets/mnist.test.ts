// The real MNIST test set, through our IDX reader and our trainer, on the wasm backend: an MLP trained on
// its first 8,000 digits classifies the last 2,000.
import { describe, expect, it } from 'vitest'
import { toKerasConfig } from '../../shared/keras/config'
import { shapesDoc } from '../../shared/testing'
import { readSharedMnist } from './testing'
import { chooseBackend } from '../trainer/backends'
import { disposeModel, train } from '../trainer/engine'
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
      const data = await readSharedMnist()
      // The default project's MLP, widened for ten digits: Flatten, Dense 256 relu, Dense 10 softmax.
      const doc = shapesDoc()
      doc.nodes[2]!.params.units = 256
      doc.nodes[3]!.params.units = 10
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
