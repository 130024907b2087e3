// The webgpu rung against the cpu backend: every palette layer trains one step on WebGPU (Dawn in
// Node) from the same weights and the same batch as on cpu, and ends with the same loss and weights
// within a stated tolerance. Without a WebGPU adapter (software ones count: Mesa's llvmpipe through
// OpenGL is what CI has) the comparison is skipped and says so.
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { toKerasConfig } from '../../shared/keras/config'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { templatesDir } from '../hosts/paths'
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
  backend: 'cpu' | 'wasm' | 'webgpu',
  doc: NetDocument,
  initial: Float32Array[] | null,
): Promise<Step & { initial: Float32Array[] }> {
  await tf.setBackend(backend)
  const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc) as never })
  const start =
    initial ?? (await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>)))
  const shapes = model.getWeights().map((w) => w.shape)
  model.setWeights(start.map((v, i) => tf.tensor(v, shapes[i])))
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' })
  // Word indices for an Embedding that reads the input: below its vocabulary.
  const vocabulary = doc.nodes.find((n) => n.className === 'Embedding')?.params.input_dim as number
  const x = model.inputs.map((input, i) => {
    const shape = [4, ...(input.shape.slice(1) as number[])]
    const ints = input.dtype === 'int32' ? vocabulary : undefined
    return tf.tensor(numbers(size(shape), 7 + i, ints), shape, ints ? 'int32' : 'float32')
  })
  const y = model.outputs.map((output, i) => {
    const shape = [4, ...(output.shape.slice(1) as number[])]
    return tf.tensor(numbers(size(shape), 99 + i), shape)
  })
  try {
    const losses = await model.trainOnBatch(x, y)
    const loss = Array.isArray(losses) ? losses[0]! : losses
    const weights = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>))
    return { loss, weights, initial: start }
  } finally {
    tf.dispose([...x, ...y])
    model.dispose()
  }
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1)

/** The step on webgpu ends where the step on the reference backend does, within the tolerance. */
async function sameStep(doc: NetDocument, random: boolean, reference: 'cpu' | 'wasm' = 'cpu'): Promise<void> {
  const cpu = await stepOn(reference, doc, null)
  const gpu = await stepOn('webgpu', doc, cpu.initial)
  expect(Number.isFinite(gpu.loss)).toBe(true)
  if (random) return
  expect(worst(Float32Array.of(gpu.loss), Float32Array.of(cpu.loss)).ratio).toBeLessThanOrEqual(1)
  gpu.weights.forEach((w, i) => {
    const { ratio, at } = worst(w, cpu.weights[i]!)
    expect(ratio, `weight ${i} [${at}]: webgpu ${w[at]}, cpu ${cpu.weights[i]![at]}`).toBeLessThanOrEqual(1)
  })
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

const templates = readdirSync(templatesDir())
  .filter((f) => f.endsWith('.netwright.json'))
  .map((f): [string, NetDocument] => [
    f.replace('.netwright.json', ''),
    parseDocument(readFileSync(join(templatesDir(), f), 'utf8')),
  ])

const found = await findAdapter()
if ('reason' in found) console.warn(`WebGPU conformance skipped: ${found.reason}.`)

describe.skipIf('reason' in found)('every layer trains one step on webgpu as on cpu', async () => {
  // wasm registered too: the templates' reference (their convolutions take ~30 s a step on cpu).
  if (!('reason' in found)) await chooseBackend('wasm')
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
    await sameStep(docFor(input, className, params, true, second), RANDOM.has(className))
  })

  // Every template's whole model, as a user trains it, on a batch of 4 of made-up data.
  it.each(templates)('the %s template', async (_name, doc) => {
    await sameStep(
      doc,
      doc.nodes.some((n) => RANDOM.has(n.className)),
      'wasm',
    )
  })
})
