import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KC as GEMM_KC } from '../../../scripts/gemm-wat.mjs'
import { assemble, source } from '../../../scripts/wasm-kernels.mjs'
import { adam, ADAM_KERNEL } from './adam'
import { chooseBackend } from './backends'
import { isHeapKernel } from './wasm-heap-kernels'
import { hasRelaxedSimd, isSimdKernel, RELU_GRAD_KERNEL, RELU_GRAD_SUM_KERNEL } from './wasm-simd'
import { KC } from './wasm-simd-core'

type T = import('@tensorflow/tfjs').Tensor

/** Deterministic values in [-1, 1) (ties on purpose when `steps` is small). */
const values = (n: number, seed: number, steps = 0) =>
  Float32Array.from({ length: n }, (_, i) => {
    const v = Math.sin(i * 12.9898 + seed * 78.233) * 43758.5453
    const u = (v - Math.floor(v)) * 2 - 1
    return steps ? Math.round(u * steps) / steps : u
  })
const t = (shape: number[], seed: number, steps = 0) =>
  tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
      steps,
    ),
    shape,
  )

/** f on cpu, then on wasm: both results, and no tensor left behind on wasm. */
async function both(f: () => T): Promise<{ cpu: Float32Array; wasm: Float32Array; shape: number[] }> {
  await tf.setBackend('cpu')
  const c = tf.tidy(f)
  const cpu = c.dataSync() as Float32Array
  c.dispose()
  await tf.setBackend('wasm')
  const before = tf.memory().numTensors
  const w = tf.tidy(f)
  const wasm = (await w.data()) as Float32Array
  const shape = w.shape
  w.dispose()
  expect(tf.memory().numTensors).toBe(before)
  expect(shape).toEqual(c.shape)
  return { cpu, wasm, shape }
}

/** Every value within 1e-5 of the largest magnitude in the result (sums of many products). */
function close(r: { cpu: Float32Array; wasm: Float32Array }) {
  expect(r.wasm.length).toBe(r.cpu.length)
  const scale = Math.max(1, ...Array.from(r.cpu, Math.abs))
  let worst = 0
  for (let i = 0; i < r.cpu.length; i++) worst = Math.max(worst, Math.abs(r.wasm[i]! - r.cpu[i]!))
  expect(worst / scale).toBeLessThan(1e-5)
}

describe('the WebAssembly kernels', async () => {
  await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })

  it('are the bytes their WebAssembly text assembles to', async () => {
    const committed = readFileSync(join(import.meta.dirname, 'kernels-wasm.ts'), 'utf8')
    expect(committed).toBe(source(await assemble()))
  })

  it("size the product's packing scratch for the k block the module was generated with", () => {
    expect(KC).toBe(GEMM_KC)
  })

  it('compile here, relaxed SIMD included (Node 20 behind the V8 flag the trainer sets)', () => {
    expect(hasRelaxedSimd()).toBe(true)
  })

  const KERNELS = [
    ADAM_KERNEL,
    'BatchMatMul',
    '_FusedMatMul',
    'MaxPoolGrad',
    'Sum',
    'Add',
    'Identity',
    'Conv2DBackpropFilter',
  ]
  it('stay in place when the wasm backend is started again (the bench starts it twice)', async () => {
    for (const name of KERNELS) expect(isSimdKernel(tf, name), name).toBe(true)
    await chooseBackend('wasm')
    for (const name of KERNELS) expect(isSimdKernel(tf, name), name).toBe(true)
    expect(isHeapKernel(tf, 'MaxPoolGrad')).toBe(true)
  })

  it.each([
    ['a·b', [130, 300], [300, 40], false, false],
    ['aᵀ·b (a Dense weight gradient)', [33, 70], [33, 24], true, false],
    ['a·bᵀ (a Dense input gradient)', [21, 50], [19, 50], false, true],
    ['aᵀ·bᵀ', [50, 9], [16, 50], true, true],
    ['batched, a broadcast', [1, 13, 40], [3, 40, 16], false, false],
    ['batched, both', [2, 10, 600], [2, 600, 24], false, false],
    ['few columns: a weight gradient, row by row of a', [40, 17], [40, 3], true, false],
    ['few columns, a weight gradient over more than one chunk of columns', [30, 2500], [30, 5], true, false],
    ['into 7 columns, b stored transposed', [50, 37], [7, 37], false, true],
    ['a short inner dimension: a Dense input gradient into 3 classes', [45, 3], [70, 3], false, true],
    ['a short inner dimension, b as it is', [45, 3], [3, 70], false, false],
    ['batched, few columns (as its transpose)', [2, 40, 17], [2, 17, 3], false, false],
    ['batched, few rows and columns (padded to 8)', [2, 5, 30], [2, 30, 3], false, false],
    ['columns not a multiple of 8', [11, 20], [20, 13], false, false],
  ] as const)('%s matches cpu', async (_n, as, bs, ta, tb) => {
    close(await both(() => tf.matMul(t([...as], 1), t([...bs], 2), ta, tb)))
  })

  it('counts subnormal inputs as zero, as TensorFlow does (flush-to-zero)', async () => {
    // Even rows of a are all 1e-39, below float32's smallest normal (1.18e-38): the cpu backend's
    // products there are subnormal, not zero; ours are zero. Odd rows are ordinary numbers.
    const a = values(16 * 16, 14).map((v, i) => (Math.floor(i / 16) % 2 === 0 ? 1e-39 : v))
    const r = await both(() => tf.matMul(tf.tensor2d(a, [16, 16]), t([16, 16], 15)))
    for (let row = 0; row < 16; row++) {
      const cpu = Array.from(r.cpu.subarray(row * 16, row * 16 + 16))
      const wasm = Array.from(r.wasm.subarray(row * 16, row * 16 + 16))
      if (row % 2 === 0) {
        expect(cpu.some((v) => v !== 0)).toBe(true)
        expect(wasm.every((v) => v === 0)).toBe(true)
      } else for (let j = 0; j < 16; j++) expect(wasm[j]).toBeCloseTo(cpu[j]!, 5)
    }
  })

  it.each([
    ['bias and relu', [37, 64], [64, 24], 'relu'],
    ['bias, few columns (as its transpose)', [128, 300], [300, 3], 'linear'],
    ['bias and relu, few columns (as its transpose)', [9, 30], [30, 5], 'relu'],
    ['bias and relu, few rows and columns', [5, 30], [30, 3], 'relu'],
    ['bias and relu into one column (a binary classifier)', [64, 33], [33, 1], 'relu'],
    ['bias and relu over four inputs (a Dense layer on four features)', [20, 4], [4, 13], 'relu'],
    ['bias and relu, batched, few rows and columns (padded to 8)', [2, 5, 30], [2, 30, 3], 'relu'],
  ] as const)('fused product with %s matches cpu', async (_n, as, bs, activation) => {
    close(
      await both(() =>
        tf.fused.matMul({ a: t([...as], 3), b: t([...bs], 4), bias: t([bs[bs.length - 1]!], 5), activation }),
      ),
    )
  })

  it.each([
    ['2×2, stride 2, with ties', [2, 8, 8, 8], [2, 2], [2, 2], 'valid', true],
    [
      '2×2, stride 2, odd sizes: a last row and column no window covers',
      [2, 9, 7, 4],
      [2, 2],
      [2, 2],
      'valid',
      true,
    ],
    ['3×2 windows side by side, with ties', [2, 9, 8, 8], [3, 2], [3, 2], 'valid', true],
    ['2×2, stride 2, same on odd sizes (padded below and right)', [1, 7, 5, 4], [2, 2], [2, 2], 'same', true],
    ['3×3, stride 2, same (overlapping windows)', [2, 9, 7, 4], [3, 3], [2, 2], 'same', false],
    ['3×3, stride 1, with ties', [1, 6, 6, 12], [3, 3], [1, 1], 'valid', false],
  ] as const)('MaxPool gradient, %s, matches cpu', async (_n, xs, size, strides, pad, exact) => {
    // Ties (values on a grid of 1/3) go to the window's first maximum, as on cpu; where windows
    // overlap, cpu adds a position's gradients in another order, so the last bit may differ there.
    const r = await both(() =>
      tf.grad((x: T) =>
        tf
          .maxPool(x as import('@tensorflow/tfjs').Tensor4D, [...size], [...strides], pad)
          .mul(t([1, 1, 1, xs[3]], 9))
          .sum(),
      )(t([...xs], 6, 3)),
    )
    if (exact) expect(Array.from(r.wasm)).toEqual(Array.from(r.cpu))
    else close(r)
  })

  it('a bias gradient (a sum over the leading axes) and a bias added everywhere match cpu', async () => {
    close(await both(() => tf.sum(t([4, 9, 7, 16], 7), [0, 1, 2])))
    const added = await both(() => tf.add(t([3, 5, 5, 12], 8), t([12], 9)))
    expect(Array.from(added.wasm)).toEqual(Array.from(added.cpu))
    const before = await both(() => tf.add(t([12], 9), t([6, 12], 8)))
    expect(Array.from(before.wasm)).toEqual(Array.from(before.cpu))
  })

  it.each([
    ['x − row', () => tf.sub(t([2, 3, 3, 8], 18), t([8], 19))],
    ['row − x', () => tf.sub(t([1, 1, 8], 19), t([2, 3, 3, 8], 18))],
    ['x · row', () => tf.mul(t([2, 3, 3, 8], 18), t([1, 1, 1, 8], 19))],
    ['row · x', () => tf.mul(t([8], 19), t([5, 8], 18))],
    ['x / row', () => tf.div(t([2, 3, 3, 8], 18), t([8], 19))],
    ['row / x', () => tf.div(t([8], 19), t([2, 3, 3, 8], 18))],
  ])('a per-channel %s is exactly cpu', async (_n, f) => {
    const r = await both(f)
    expect(Array.from(r.wasm)).toEqual(Array.from(r.cpu))
  })

  it('a mean over the leading axes (BatchNormalization) matches cpu', async () => {
    close(await both(() => tf.mean(t([4, 9, 7, 16], 20), [0, 1, 2])))
    close(await both(() => tf.mean(t([6, 12], 21), 0, true)))
  })

  it.each([
    ['3×3 valid, 1 channel in, 32 out (the bench CNN)', [4, 12, 12, 1], [3, 3, 1, 32], [1, 1], 'valid'],
    ['3×3 same, stride 2, 12 out', [2, 9, 8, 3], [3, 3, 3, 12], [2, 2], 'same'],
    [
      '5×5 same, 1 channel in: runs cut by the padding on both sides',
      [2, 9, 11, 1],
      [5, 5, 1, 8],
      [1, 1],
      'same',
    ],
    ['3×3 valid, strides 1 and 2, 2 in', [2, 9, 10, 2], [3, 3, 2, 8], [1, 2], 'valid'],
    ['3×3 same, 64 in: shifted rows, in chunks of positions', [4, 30, 30, 64], [3, 3, 64, 8], [1, 1], 'same'],
    ['5×5 valid, stride 2, 12 in', [3, 13, 12, 12], [5, 5, 12, 16], [2, 2], 'valid'],
    ['3×3 same, stride 2, 8 in, even size', [2, 8, 8, 8], [3, 3, 8, 8], [2, 2], 'same'],
  ] as const)('Conv2D filter gradient, %s, matches cpu', async (_n, xs, fs, strides, pad) => {
    close(
      await both(() =>
        tf.grad((w: T) =>
          tf
            .conv2d(
              t([...xs], 10) as import('@tensorflow/tfjs').Tensor4D,
              w as import('@tensorflow/tfjs').Tensor4D,
              [...strides],
              pad,
            )
            .square()
            .sum(),
        )(t([...fs], 11)),
      ),
    )
  })

  it.each([0, 1, 2])('Unpack along axis %i is exactly cpu', async (axis) => {
    await tf.setBackend('cpu')
    const expected = tf.unstack(t([3, 4, 5], 13), axis).map((u) => Array.from(u.dataSync()))
    await tf.setBackend('wasm')
    const got = tf.unstack(t([3, 4, 5], 13), axis)
    expect(got.map((u) => Array.from(u.dataSync()))).toEqual(expected)
    expect(got[0]!.shape).toEqual([3, 4, 5].filter((_, i) => i !== axis))
    tf.dispose(got)
  })

  it('ReLU gradient is one kernel and exactly cpu, NaN and negative zero included', async () => {
    const x = () => {
      const v = values(4 * 7 * 5, 16)
      v[3] = NaN
      v[8] = 0
      v[9] = -0
      return tf.tensor(v, [4, 7, 5])
    }
    const r = await both(() =>
      tf.grad((u: T) =>
        tf
          .relu(u)
          .mul(t([4, 7, 5], 17))
          .sum(),
      )(x()),
    )
    expect(r.wasm).toEqual(r.cpu)
    await tf.setBackend('wasm')
    const u = x()
    const profile = await tf.profile(() => tf.grad((v: T) => tf.relu(v).sum())(u))
    expect(profile.kernelNames).toContain(RELU_GRAD_KERNEL)
    expect(profile.kernelNames).not.toContain('Step')
    tf.dispose([u, profile.result as never])
  })

  it("ReLU's gradient and its sum over the leading axes in one pass equal the two kernels on cpu", async () => {
    await tf.setBackend('wasm')
    const v = values(6 * 5 * 12, 18)
    v[3] = NaN
    v[8] = 0
    v[9] = -0
    const y = tf.relu(tf.tensor(v, [6, 5, 12]))
    const dy = t([6, 5, 12], 19)
    const [d, sum] = tf.engine().runKernel(RELU_GRAD_SUM_KERNEL, { dy, x: y }) as T[]
    const got = { d: Array.from(await d!.data()), sum: Array.from(await sum!.data()) }
    expect(sum!.shape).toEqual([12])
    const cpu = async () => {
      await tf.setBackend('cpu')
      const yc = tf.tensor(await y.data(), y.shape)
      const dyc = tf.tensor(await dy.data(), dy.shape)
      const dc = tf.mul(dyc, tf.step(yc))
      const sc = tf.sum(dc, [0, 1])
      const out = { d: Array.from(await dc.data()), sum: Array.from(await sc.data()) }
      tf.dispose([yc, dyc, dc, sc])
      return out
    }
    const want = await cpu()
    expect(got.d).toEqual(want.d)
    // (The column with the NaN sums to NaN on both.)
    expect(got.sum.map(Number.isNaN)).toEqual(want.sum.map(Number.isNaN))
    got.sum.forEach((s, i) => Number.isNaN(s) || expect(s).toBeCloseTo(want.sum[i]!, 5))
    await tf.setBackend('wasm')
    tf.dispose([y, dy, d!, sum!])
  })

  it('Identity shares the bytes it is given, and they outlive the original', async () => {
    await tf.setBackend('wasm')
    const x = t([3, 4], 12)
    const expected = Array.from(x.dataSync())
    const y = tf.engine().runKernel('Identity', { x }) as T
    x.dispose()
    expect(Array.from(await y.data())).toEqual(expected)
    y.dispose()
  })
})

describe("the app's Adam", async () => {
  await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })

  /** Three steps of a small model from fixed weights: its weights and the optimizer's, flat. */
  async function train(make: () => import('@tensorflow/tfjs').Optimizer): Promise<number[]> {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [10], units: 13, activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    })
    model.setWeights(model.getWeights().map((w, i) => t(w.shape, 20 + i)))
    const optimizer = make()
    model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' })
    const x = t([16, 10], 30)
    const y = tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 3),
      'float32',
    )
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y)
    const out = [
      ...model.getWeights().flatMap((w) => Array.from(w.dataSync())),
      ...(await optimizer.getWeights()).flatMap((w) => Array.from(w.tensor.dataSync())),
    ]
    tf.dispose([x, y])
    model.dispose()
    optimizer.dispose()
    return out
  }

  it('steps in one kernel on wasm, to the same bits as tfjs Adam', async () => {
    await tf.setBackend('wasm')
    expect(tf.getKernel(ADAM_KERNEL, 'wasm')).toBeTruthy()
    const ours = await train(() => adam(tf, 0.01))
    const theirs = await train(() => tf.train.adam(0.01))
    expect(ours).toEqual(theirs)
    const v = tf.variable(t([40], 40))
    const o = adam(tf, 0.01)
    const profile = await tf.profile(() => void o.minimize(() => v.square().sum()))
    expect(profile.kernelNames).toContain(ADAM_KERNEL)
    expect(profile.kernelNames).not.toContain('Sqrt')
    expect(o.getClassName()).toBe('Adam')
    tf.dispose([v, profile.result as never])
    o.dispose()
  })

  it('is tfjs Adam on a backend without the kernel (cpu)', async () => {
    await tf.setBackend('cpu')
    expect(await train(() => adam(tf, 0.01))).toEqual(await train(() => tf.train.adam(0.01)))
  })
})
