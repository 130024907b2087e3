import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { chooseBackend } from './backends'

type Case = {
  x: [number, number, number, number]
  filter: [number, number, number, number]
  strides: [number, number]
  pad: 'valid' | 'same'
}

const CASES: Record<string, Case> = {
  'valid, stride 1': { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
  'same, stride 1': { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  'valid, stride 2, uneven': { x: [3, 9, 8, 2], filter: [3, 2, 2, 5], strides: [2, 2], pad: 'valid' },
  'same, stride 2, 5x5': { x: [2, 9, 10, 2], filter: [5, 5, 2, 3], strides: [2, 2], pad: 'same' },
  'valid, 1x1': { x: [4, 5, 5, 3], filter: [1, 1, 3, 2], strides: [1, 1], pad: 'valid' },
  'valid, stride 3 with leftover': { x: [2, 10, 11, 1], filter: [2, 3, 1, 2], strides: [3, 3], pad: 'valid' },
}

/** The filter gradient of a conv2d on the current backend, as plain numbers. */
function filterGradient(c: Case, seed: number): number[] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed)
    const w = tf.randomNormal(c.filter, 0, 1, 'float32', seed + 1)
    const loss = (f: import('@tensorflow/tfjs').Tensor) =>
      tf
        .conv2d(
          x as import('@tensorflow/tfjs').Tensor4D,
          f as import('@tensorflow/tfjs').Tensor4D,
          c.strides,
          c.pad,
        )
        .square()
        .sum()
    const g = tf.grad(loss)(w)
    return Array.from(g.dataSync())
  })
}

describe('wasm Conv2DBackpropFilter', async () => {
  const wasm = await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })

  it.each(Object.entries(CASES))('%s equals the cpu backend', async (_name, c) => {
    await tf.setBackend('cpu')
    const expected = filterGradient(c, 7)
    await tf.setBackend(wasm.name)
    const before = tf.memory().numTensors
    const got = filterGradient(c, 7)
    expect(tf.memory().numTensors).toBe(before)
    expect(got).toHaveLength(expected.length)
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 3)
  })
})

describe('wasm UnsortedSegmentSum', async () => {
  const wasm = await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })
  const run = (xShape: number[], ids: number[], segments: number) =>
    tf.tidy(() =>
      Array.from(
        tf
          .unsortedSegmentSum(
            tf.randomNormal(xShape, 0, 1, 'float32', 3),
            tf.tensor1d(ids, 'int32'),
            segments,
          )
          .dataSync(),
      ),
    )

  it.each([
    ['rows of a matrix', [6, 4], [0, 2, 2, 1, 0, 4], 5],
    ['a vector', [5], [1, 1, 0, 3, 1], 4],
    ['rank 3 values, unused segments', [3, 2, 2], [7, 0, 7], 9],
  ] as const)('%s equals the cpu backend', async (_name, xShape, ids, segments) => {
    await tf.setBackend('cpu')
    const expected = run([...xShape], [...ids], segments)
    await tf.setBackend(wasm.name)
    const before = tf.memory().numTensors
    const got = run([...xShape], [...ids], segments)
    expect(tf.memory().numTensors).toBe(before)
    expect(got).toHaveLength(expected.length)
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 4)
  })
})

describe('wasm depthwise convolution gradients', async () => {
  const wasm = await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })
  type T4 = import('@tensorflow/tfjs').Tensor4D
  /** Gradients of a depthwise conv2d with respect to its input and its filter, as plain numbers. */
  const grads = (c: Case) =>
    tf.tidy(() => {
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 11) as T4
      const w = tf.randomNormal(c.filter, 0, 1, 'float32', 12) as T4
      const f = (a: import('@tensorflow/tfjs').Tensor, b: import('@tensorflow/tfjs').Tensor) =>
        tf
          .depthwiseConv2d(a as T4, b as T4, c.strides, c.pad)
          .square()
          .sum()
      const [dx, dw] = tf.grads(f)([x, w])
      return [...dx!.dataSync(), ...dw!.dataSync()]
    })

  it.each(
    Object.entries({
      'valid, multiplier 1': { x: [2, 6, 6, 3], filter: [3, 3, 3, 1], strides: [1, 1], pad: 'valid' },
      'same, multiplier 2, stride 2': { x: [2, 7, 8, 2], filter: [3, 3, 2, 2], strides: [2, 2], pad: 'same' },
      'valid, 5x3, stride 2': { x: [1, 9, 9, 4], filter: [5, 3, 4, 3], strides: [2, 2], pad: 'valid' },
    } as Record<string, Case>),
  )('%s equals the cpu backend', async (_name, c) => {
    await tf.setBackend('cpu')
    const expected = grads(c)
    await tf.setBackend(wasm.name)
    const before = tf.memory().numTensors
    const got = grads(c)
    expect(tf.memory().numTensors).toBe(before)
    expect(got).toHaveLength(expected.length)
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 3)
  })
})
