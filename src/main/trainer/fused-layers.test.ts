// Dense and Conv2D stay fused in training (fused-layers.ts): each step's loss and weight gradients
// equal those of the same layer written as separate ops (product or convolution, bias, activation),
// on cpu and wasm, and the fused kernel is what runs.
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { chooseBackend } from './backends'
import { registerCustomLayers } from './custom-layers'
import { RELU_GRAD_SUM_KERNEL } from './wasm-simd'

type T = import('@tensorflow/tfjs').Tensor

const values = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => {
    const v = Math.sin(i * 12.9898 + seed * 78.233) * 43758.5453
    return (v - Math.floor(v)) * 2 - 1
  })
const t = (shape: number[], seed: number) =>
  tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  )

interface Case {
  label: string
  className: 'Dense' | 'Conv2D'
  config: Record<string, unknown>
  input: number[]
  /** The layer as separate ops, from its kernel and bias (null without one). */
  reference: (x: T, kernel: T, bias: T | null) => T
  /** The kernel that must run in its place. */
  fused: string
}

const act = (name: string, y: T) =>
  name === 'relu' ? tf.relu(y) : name === 'tanh' ? tf.tanh(y) : name === 'softmax' ? tf.softmax(y) : y
const dense =
  (activation: string) =>
  (x: T, k: T, b: T | null): T => {
    const flat = tf.reshape(x, [-1, k.shape[0]!])
    const y = tf.reshape(tf.matMul(flat, k), [...x.shape.slice(0, -1), k.shape[1]!])
    return act(activation, b ? tf.add(y, b) : y)
  }
const conv =
  (activation: string, strides: number, pad: 'valid' | 'same') =>
  (x: T, k: T, b: T | null): T => {
    const y = tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, strides, pad)
    return act(activation, b ? tf.add(y, b) : y)
  }

const CASES: Case[] = [
  {
    label: 'Dense relu',
    className: 'Dense',
    config: { units: 12, activation: 'relu' },
    input: [6, 20],
    reference: dense('relu'),
    fused: '_FusedMatMul',
  },
  {
    label: 'Dense relu into 6 (not a multiple of 4: the two-kernel relu gradient)',
    className: 'Dense',
    config: { units: 6, activation: 'relu' },
    input: [5, 9],
    reference: dense('relu'),
    fused: '_FusedMatMul',
  },
  {
    label: 'Dense into 3 classes, softmax after',
    className: 'Dense',
    config: { units: 3, activation: 'softmax' },
    input: [9, 40],
    reference: dense('softmax'),
    fused: '_FusedMatMul',
  },
  {
    label: 'Dense linear without bias on a 3-D input',
    className: 'Dense',
    config: { units: 5, useBias: false },
    input: [3, 4, 10],
    reference: dense('linear'),
    fused: '_FusedMatMul',
  },
  {
    label: 'Conv2D relu, valid',
    className: 'Conv2D',
    config: { filters: 8, kernelSize: 3, activation: 'relu' },
    input: [4, 9, 9, 2],
    reference: conv('relu', 1, 'valid'),
    fused: 'FusedConv2D',
  },
  {
    label: 'Conv2D relu, same, stride 2',
    className: 'Conv2D',
    config: { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
    input: [3, 9, 8, 3],
    reference: conv('relu', 2, 'same'),
    fused: 'FusedConv2D',
  },
  {
    label: 'Conv2D tanh after, no bias',
    className: 'Conv2D',
    config: { filters: 4, kernelSize: 2, activation: 'tanh', useBias: false },
    input: [2, 6, 6, 1],
    reference: conv('tanh', 1, 'valid'),
    fused: 'FusedConv2D',
  },
]

/** The layer as a model built from its Keras config gets it: the class registered under its name. */
function ours(c: Case): tf.layers.Layer {
  const [Ctor] = tf.serialization.SerializationMap.getMap().classNameMap[c.className]!
  return new (Ctor as unknown as new (config: object) => tf.layers.Layer)({ ...c.config, name: 'layer' })
}

/** A model of Input → the layer (→ a Dense below it, so that the layer's input gradient is used). */
function modelFor(c: Case, below: boolean): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    tf.layers.inputLayer({ inputShape: c.input.slice(1) }),
    ...(below ? [tf.layers.dense({ units: c.input[c.input.length - 1]!, name: 'below' })] : []),
  ]
  layers.push(ours(c))
  const model = tf.sequential({ layers })
  // Deterministic weights, the same on every backend.
  model.weights.forEach((w, i) => {
    const v = t(w.shape as number[], 10 + i)
    w.write(v)
    v.dispose()
  })
  return model
}

/** A loss whose gradient is not zero where relu's output is: a random weighting of every output. */
const lossOf = (y: T): tf.Scalar =>
  tf.tidy(() => {
    const r = t(y.shape, 99)
    return tf.sum(tf.mul(y, r)) as tf.Scalar
  })

/** Loss of the model on x and the gradient of every weight, on the current backend. */
function step(model: tf.LayersModel, x: T) {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const { value, grads } = tf.variableGrads(() => lossOf(model.apply(x, { training: true }) as T), vars)
  return { loss: value.dataSync()[0]!, grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())) }
}

describe('fused Dense and Conv2D in training', async () => {
  registerCustomLayers(tf)
  await chooseBackend('wasm')
  afterAll(async () => {
    await tf.setBackend('wasm')
  })

  it.each(CASES)('$label: the same loss and gradients as the separate ops, cpu and wasm', async (c) => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend)
      for (const below of [false, true]) {
        const before = tf.memory().numTensors
        const model = modelFor(c, below)
        const x = t(c.input, 3)
        const got = tf.tidy(() => step(model, x))
        // The reference: the same weights, the layer as separate ops.
        const layer = model.getLayer('layer')
        const [kernel, bias] = layer.getWeights()
        const under = below ? model.getLayer('below') : null
        const refVars = [...(under?.getWeights() ?? []), kernel!, ...(bias ? [bias] : [])].map((w) =>
          tf.variable(w),
        )
        const want = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const h = under ? dense('linear')(x, refVars[0]!, refVars[1]!) : x
            const [k, b] = under ? refVars.slice(2) : refVars
            return lossOf(c.reference(h, k!, b ?? null))
          }, refVars)
          return {
            loss: value.dataSync()[0]!,
            grads: refVars.map((v) => Array.from(grads[v.name]!.dataSync())),
          }
        })
        expect(got.loss).toBeCloseTo(want.loss, 3)
        expect(got.grads.length).toBe(want.grads.length)
        got.grads.forEach((g, i) => {
          const scale = Math.max(1, ...want.grads[i]!.map(Math.abs))
          g.forEach((v, j) => expect(Math.abs(v - want.grads[i]![j]!) / scale).toBeLessThan(1e-4))
        })
        tf.dispose([x, ...refVars])
        model.dispose()
        expect(tf.memory().numTensors).toBe(before)
      }
    }
  })

  it.each(CASES)('$label: runs its fused kernel, with no separate bias or activation pass', async (c) => {
    await tf.setBackend('wasm')
    const model = modelFor(c, false)
    const x = t(c.input, 3)
    const profile = await tf.profile(() => tf.tidy(() => void step(model, x)))
    const names = profile.kernels.map((k) => k.name)
    expect(names).toContain(c.fused)
    // relu's gradient and the bias's in one pass where the layer's width allows it.
    const width = (c.config.units ?? c.config.filters) as number
    if (c.config.activation === 'relu' && width % 4 === 0) expect(names).toContain(RELU_GRAD_SUM_KERNEL)
    expect(names).not.toContain('Relu')
    expect(names).not.toContain('Add')
    // The layer's input is the model's: its gradient is never computed.
    expect(names).not.toContain('Conv2DBackpropInput')
    x.dispose()
    model.dispose()
  })

  it('serializes as tfjs’s own layers do (same class names and configs)', () => {
    for (const c of CASES) {
      const layer = ours(c)
      const make = c.className === 'Dense' ? tf.layers.dense : tf.layers.conv2d
      const theirs = make({ ...c.config, name: 'layer' } as never)
      expect(layer.constructor).not.toBe(theirs.constructor)
      expect(layer.getClassName()).toBe(c.className)
      expect(layer.getConfig()).toEqual(theirs.getConfig())
    }
  })
})
