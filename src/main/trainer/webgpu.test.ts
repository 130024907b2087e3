// The webgpu rung against the cpu backend: every palette layer trains one step on WebGPU (Dawn in
// Node) from the same weights and the same batch as on cpu, and ends with the same loss and weights
// within a stated tolerance. Without a WebGPU adapter (software ones count: Mesa's llvmpipe through
// OpenGL is what CI has) the comparison is skipped and says so.
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { toKerasConfig } from '../../shared/keras/config'
import type { Params } from '../../shared/layers'
import { chooseBackend } from './backends'
import { CASES, docFor } from './layer-cases'
import { findAdapter } from './webgpu'

/**
 * One SGD step in float32 on two backends. The differences are in the order sums are taken and in
 * how exp/tanh are computed on the GPU, so the tolerance is on the scale of the values:
 * |webgpu − cpu| ≤ ATOL + RTOL·|cpu|, for the loss and for every weight after the step.
 */
const ATOL = 1e-4
const RTOL = 1e-3
/** Random in training by design (a new mask or noise on each backend): only checked to train. */
const RANDOM = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'])

/** The same numbers on every backend: a small linear congruential generator, not tf.random. */
function numbers(n: number, seed: number, ints?: number): Float32Array | Int32Array {
  let s = seed >>> 0
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32
  if (ints) return Int32Array.from({ length: n }, () => Math.floor(next() * ints))
  return Float32Array.from({ length: n }, () => (next() - 0.5) * 2)
}

interface Step {
  loss: number
  weights: Float32Array[]
}

async function stepOn(
  backend: 'cpu' | 'webgpu',
  c: { input: number[]; className: string; params: Params; second?: number[] },
  initial: Float32Array[] | null,
): Promise<Step & { initial: Float32Array[] }> {
  await tf.setBackend(backend)
  const doc = docFor(c.input, c.className, c.params, true, c.second)
  const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc) as never })
  const start =
    initial ?? (await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>)))
  const shapes = model.getWeights().map((w) => w.shape)
  model.setWeights(start.map((v, i) => tf.tensor(v, shapes[i])))
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' })
  const ints = c.className === 'Embedding' ? (c.params.input_dim as number) : undefined
  const x = (c.second ? [c.input, c.second] : [c.input]).map((s, i) => {
    const shape = [4, ...s]
    const n = shape.reduce((a, b) => a * b, 1)
    return tf.tensor(numbers(n, 7 + i, ints), shape, ints ? 'int32' : 'float32')
  })
  const out = [4, ...(model.outputs[0]!.shape.slice(1) as number[])]
  const y = tf.tensor(
    numbers(
      out.reduce((a, b) => a * b, 1),
      99,
    ),
    out,
  )
  try {
    const loss = (await model.trainOnBatch(x, y)) as number
    const weights = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>))
    return { loss, weights, initial: start }
  } finally {
    tf.dispose([...x, y])
    model.dispose()
  }
}

/** The largest |a − b| beyond the tolerance, as a multiple of it (≤ 1 passes), and where. */
function worst(a: Float32Array, b: Float32Array): { ratio: number; at: number } {
  let ratio = 0
  let at = -1
  for (let i = 0; i < a.length; i++) {
    const r = Math.abs(a[i]! - b[i]!) / (ATOL + RTOL * Math.abs(b[i]!))
    if (!(r <= ratio)) [ratio, at] = [r, i]
  }
  return { ratio, at }
}

const found = await findAdapter()
if ('reason' in found) console.warn(`WebGPU conformance skipped: ${found.reason}.`)

describe.skipIf('reason' in found)('every layer trains one step on webgpu as on cpu', async () => {
  const chosen = 'reason' in found ? null : await chooseBackend('webgpu')
  afterAll(async () => {
    await tf.setBackend('cpu')
  })

  it('runs on the adapter the report names', () => {
    const report = chosen!.reports.find((r) => r.name === 'webgpu')!
    expect(report.available).toBe(true)
    expect(report.adapter!.name.length).toBeGreaterThan(0)
    expect(report.detail).toContain(report.adapter!.name)
  })

  it.each(CASES)('%s', async (_label, input, className, params, second) => {
    const c = { input, className, params, second }
    const cpu = await stepOn('cpu', c, null)
    const gpu = await stepOn('webgpu', c, cpu.initial)
    expect(Number.isFinite(gpu.loss)).toBe(true)
    if (RANDOM.has(className)) return
    expect(worst(Float32Array.of(gpu.loss), Float32Array.of(cpu.loss)).ratio).toBeLessThanOrEqual(1)
    gpu.weights.forEach((w, i) => {
      const { ratio, at } = worst(w, cpu.weights[i]!)
      expect(ratio, `weight ${i} [${at}]: webgpu ${w[at]}, cpu ${cpu.weights[i]![at]}`).toBeLessThanOrEqual(1)
    })
  })
})
