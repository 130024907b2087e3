import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { chooseBackend } from './backends'

type Attrs = { alignCorners?: boolean; halfPixelCenters?: boolean }

/** d/dx of Σ resize(x)·W on the current backend: the gradient UpSampling2D trains with. */
async function gradient(shape: number[], size: [number, number], attrs: Attrs): Promise<number[]> {
  const n = shape.reduce((a, b) => a * b, 1)
  const x = tf.tensor4d(
    Array.from({ length: n }, (_, i) => Math.sin(i)),
    shape as [number, number, number, number],
  )
  const weights = tf
    .range(0, shape[0]! * size[0] * size[1] * shape[3]!)
    .reshape([shape[0]!, ...size, shape[3]!])
  const f = (t: tf.Tensor) =>
    tf.image
      .resizeNearestNeighbor(t as tf.Tensor4D, size, attrs.alignCorners, attrs.halfPixelCenters)
      .mul(weights)
      .sum()
  const g = tf.grad(f)(x)
  const values = Array.from(await g.data())
  tf.dispose([x, weights, g])
  return values
}

/**
 * The same gradient from the forward kernel alone: element j's gradient is Σ resize(e_j)·W, where e_j
 * is the tensor with a one at j. Independent of any gradient kernel.
 */
async function fromForward(shape: number[], size: [number, number], attrs: Attrs): Promise<number[]> {
  const n = shape.reduce((a, b) => a * b, 1)
  const weights = tf
    .range(0, shape[0]! * size[0] * size[1] * shape[3]!)
    .reshape([shape[0]!, ...size, shape[3]!])
  const out: number[] = []
  for (let j = 0; j < n; j++) {
    const s = tf.tidy(() => {
      const e = tf.oneHot(tf.tensor1d([j], 'int32'), n).reshape(shape) as tf.Tensor4D
      return tf.image
        .resizeNearestNeighbor(e, size, attrs.alignCorners, attrs.halfPixelCenters)
        .mul(weights)
        .sum()
    })
    out.push((await s.data())[0]!)
    s.dispose()
  }
  weights.dispose()
  return out
}

describe('cpu ResizeNearestNeighborGrad', async () => {
  await chooseBackend('cpu')

  it('sends the second image its own gradient (tfjs 4.22 sent it rows of the first)', async () => {
    // x[1,0,0,0] is copied to output rows 0-1, columns 0-2 of image 1: weights 108 + {0,2,4,18,20,22}.
    const g = await gradient([2, 3, 3, 2], [6, 9], {})
    expect(g[0]).toBe(0 + 2 + 4 + 18 + 20 + 22)
    expect(g[18]).toBe(6 * 108 + 66)
  })

  it.each([
    ['UpSampling2D 2×3, batch 3', [3, 3, 4, 2], [6, 12], {}],
    ['a size that is not a multiple', [2, 5, 4, 3], [7, 9], {}],
    ['shrinking', [2, 6, 6, 1], [4, 3], {}],
    ['align corners', [2, 4, 5, 2], [7, 11], { alignCorners: true }],
    ['half-pixel centers', [2, 4, 5, 2], [7, 11], { halfPixelCenters: true }],
  ] as [string, number[], [number, number], Attrs][])(
    '%s: what the forward kernel implies',
    async (_n, shape, size, attrs) => {
      expect(await gradient(shape, size, attrs)).toEqual(await fromForward(shape, size, attrs))
    },
  )
})
