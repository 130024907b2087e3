import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { chooseBackend } from './backends'
import { isHeapKernel } from './wasm-heap-kernels'

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
    ['ids outside the segments, dropped', [4, 3], [0, 5, -1, 2], 3],
    [
      'an Embedding-sized vocabulary',
      [64, 8],
      Array.from({ length: 64 }, (_, i) => (i * 7919) % 10_000),
      10_000,
    ],
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

describe('wasm matrix products with transposed operands', async () => {
  const wasm = await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })
  type T = import('@tensorflow/tfjs').Tensor
  /** Plain and fused (bias + relu) products, and their gradients, for each way of transposing. */
  const products = (aShape: readonly number[], bShape: readonly number[], ta: boolean, tb: boolean) =>
    tf.tidy(() => {
      const a = tf.randomNormal([...aShape], 0, 1, 'float32', 21)
      const b = tf.randomNormal([...bShape], 0, 1, 'float32', 22)
      const plain = tf.matMul(a, b, ta, tb)
      const bias = tf.randomNormal([plain.shape.at(-1)!], 0, 1, 'float32', 23)
      // wasm's own fused product adds the bias wrongly when batched (rank 3), with or without
      // transposes; the app never asks for that (tfjs-layers' Dense flattens to rank 2 first).
      const fused =
        aShape.length === 2
          ? tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' })
          : tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, activation: 'relu' })
      const [da, db] = tf.grads((x: T, y: T) => tf.matMul(x, y, ta, tb).square().sum())([a, b])
      return [...plain.dataSync(), ...fused.dataSync(), ...da!.dataSync(), ...db!.dataSync()]
    })

  it.each([
    ['a·b', [5, 7], [7, 3], false, false],
    ['aᵀ·b', [7, 5], [7, 3], true, false],
    ['a·bᵀ', [5, 7], [3, 7], false, true],
    ['aᵀ·bᵀ', [7, 5], [3, 7], true, true],
    ['batched aᵀ·bᵀ', [2, 7, 5], [2, 3, 7], true, true],
    ['batched a·bᵀ', [4, 5, 7], [4, 3, 7], false, true],
  ] as const)(
    '%s equals the cpu backend, forward, fused and backward',
    async (_n, aShape, bShape, ta, tb) => {
      await tf.setBackend('cpu')
      const expected = products([...aShape], [...bShape], ta, tb)
      await tf.setBackend(wasm.name)
      const before = tf.memory().numTensors
      const got = products([...aShape], [...bShape], ta, tb)
      expect(tf.memory().numTensors).toBe(before)
      expect(got).toHaveLength(expected.length)
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 3)
    },
  )
})

/** The same numbers from cpu and from wasm (to 3 places), and no tensor left behind on wasm. */
async function onCpuAndWasm(f: () => number[]): Promise<void> {
  await tf.setBackend('cpu')
  const expected = f()
  await tf.setBackend('wasm')
  const before = tf.memory().numTensors
  const got = f()
  expect(tf.memory().numTensors).toBe(before)
  expect(got).toHaveLength(expected.length)
  for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 3)
}

describe('wasm Conv2DBackpropInput and Tile over the heap', async () => {
  const wasm = await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })
  it('are the kernels wasm runs, with UnsortedSegmentSum, MaxPoolGrad and Sum', () => {
    for (const name of ['Conv2DBackpropInput', 'Tile', 'UnsortedSegmentSum', 'MaxPoolGrad', 'Sum'])
      expect(isHeapKernel(tf, name), name).toBe(true)
  })
  /** dL/dx of Σ conv2d(x, f)·w, on the current backend. */
  const inputGradient = (x: number[], f: number[], stride: number, pad: 'same' | 'valid') =>
    tf.tidy(() => {
      const xs = tf.randomNormal(x, 0, 1, 'float32', 5) as unknown as tf.Tensor4D
      const fs = tf.randomNormal(f, 0, 1, 'float32', 6) as unknown as tf.Tensor4D
      const y = tf.conv2d(xs, fs, stride, pad)
      const w = tf.randomNormal(y.shape, 0, 1, 'float32', 7)
      return Array.from(
        tf
          .grad((t: tf.Tensor) =>
            tf
              .conv2d(t as tf.Tensor4D, fs, stride, pad)
              .mul(w)
              .sum(),
          )(xs)
          .dataSync(),
      )
    })

  it.each([
    ['3×3 same, channels 3 → 5', [2, 7, 6, 3], [3, 3, 3, 5], 1, 'same'],
    ['3×3 valid', [2, 7, 6, 2], [3, 3, 2, 4], 1, 'valid'],
    ['5×3 same, uneven padding', [1, 8, 9, 2], [5, 3, 2, 3], 1, 'same'],
    ['2×2 same (padding after only)', [2, 5, 5, 1], [2, 2, 1, 2], 1, 'same'],
    ['stride 2 (wasm’s own)', [2, 9, 9, 2], [3, 3, 2, 3], 2, 'same'],
  ] as const)('%s equals the cpu backend', async (_n, x, f, stride, pad) => {
    await onCpuAndWasm(() => inputGradient([...x], [...f], stride, pad))
  })

  it.each([
    ['broadcast of a channel vector', [1, 1, 1, 4], [2, 3, 3, 1], 'float32'],
    ['every axis', [2, 3], [3, 2], 'float32'],
    ['int32, some axes', [2, 1, 3], [1, 4, 2], 'int32'],
    ['nothing tiled', [3, 2], [1, 1], 'float32'],
  ] as const)('Tile: %s equals the cpu backend', async (_n, shape, reps, dtype) => {
    const run = () =>
      tf.tidy(() =>
        Array.from(
          tf
            .tile(
              tf
                .range(
                  0,
                  shape.reduce((a: number, b: number) => a * b, 1),
                  1,
                  dtype,
                )
                .reshape([...shape]),
              [...reps],
            )
            .dataSync(),
        ),
      )
    await tf.setBackend('cpu')
    const expected = run()
    await tf.setBackend(wasm.name)
    expect(run()).toEqual(expected)
  })
})

describe('wasm Sum and MaxPoolGrad over the heap', async () => {
  await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })

  it.each([
    ["a bias's gradient: all but the last axis", [4, 5, 6, 3], [0, 1, 2], false],
    ['the first axis, kept', [7, 4], [0], true],
    ['the last axis (wasm’s own)', [3, 8], [1], false],
    ['every axis (wasm’s own)', [3, 4], [0, 1], false],
  ] as const)('Sum over %s equals the cpu backend', async (_n, shape, axes, keepDims) => {
    await onCpuAndWasm(() =>
      tf.tidy(() =>
        Array.from(
          tf
            .randomNormal([...shape], 0, 1, 'float32', 9)
            .sum([...axes], keepDims)
            .dataSync(),
        ),
      ),
    )
  })

  it.each([
    ['2×2 stride 2', [2, 6, 6, 3], 2, 2, 'valid'],
    ['3×3 stride 2 same', [1, 7, 7, 2], 3, 2, 'same'],
    ['3×3 stride 1 (overlapping windows)', [2, 5, 5, 1], 3, 1, 'valid'],
  ] as const)(
    'MaxPoolGrad %s equals the cpu backend, ties to the first maximum',
    async (_n, shape, size, stride, pad) => {
      await onCpuAndWasm(() =>
        tf.tidy(() => {
          // Rounded values make ties, which must go to the first maximum, as on cpu.
          const x = tf.randomUniform([...shape], 0, 4, 'float32', 11).round() as tf.Tensor4D
          const w = tf.randomNormal(tf.maxPool(x, size, stride, pad).shape, 0, 1, 'float32', 12)
          return Array.from(
            tf
              .grad((t: tf.Tensor) =>
                tf
                  .maxPool(t as tf.Tensor4D, size, stride, pad)
                  .mul(w)
                  .sum(),
              )(x)
              .dataSync(),
          )
        }),
      )
    },
  )
})
