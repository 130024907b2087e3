// The layer registry against tfjs itself: for every palette layer, tfjs builds the layer from our
// Keras config, and its output shape and parameter counts must equal ours; then the layer trains one
// step on every backend available here.
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { analyze } from '../../shared/graph/analyze'
import type { NetDocument, NetNode } from '../../shared/graph/schema'
import { toKerasConfig } from '../../shared/keras/config'
import { ACTIVATIONS, LAYERS, type Params } from '../../shared/layers'
import { shapesDoc } from '../../shared/testing'
import { chooseBackend } from './backends'
import { registerCustomLayers } from './custom-layers'

registerCustomLayers(tf)

/** A case: the layer, its input shape, and for merge layers the shape of a second input. */
type Case = [label: string, input: number[], className: string, params: Params, second?: number[]]

/** Table-driven cases: every layer at its defaults, plus the variants where shape math can go wrong. */
const CASES: Case[] = [
  ['Dense', [6], 'Dense', { units: 5, activation: 'tanh' }],
  ['Dense on 3-D input', [4, 6], 'Dense', { units: 5, use_bias: false }],
  ...ACTIVATIONS.map((activation): Case => [
    `Activation ${activation}`,
    [4, 6],
    'Activation',
    { activation },
  ]),
  ['Dropout', [6], 'Dropout', { rate: 0.3 }],
  ['Flatten', [4, 6, 2], 'Flatten', {}],
  ['Reshape', [12], 'Reshape', { target_shape: [3, 4, 1] }],
  ['Permute', [3, 4], 'Permute', { dims: [2, 1] }],
  ['RepeatVector', [5], 'RepeatVector', { n: 3 }],
  ['Conv2D valid', [9, 9, 2], 'Conv2D', { filters: 4 }],
  ['Conv2D same stride 2', [9, 9, 2], 'Conv2D', { filters: 4, strides: [2, 2], padding: 'same' }],
  ['Conv2D valid stride 2 5x3', [10, 9, 2], 'Conv2D', { filters: 3, kernel_size: [5, 3], strides: [2, 2] }],
  ['Conv2D no bias', [9, 9, 1], 'Conv2D', { filters: 2, use_bias: false }],
  ['Conv2DTranspose valid', [4, 4, 3], 'Conv2DTranspose', { filters: 2 }],
  [
    'Conv2DTranspose same stride 2',
    [4, 5, 3],
    'Conv2DTranspose',
    { filters: 2, strides: [2, 2], padding: 'same' },
  ],
  ['SeparableConv2D', [8, 8, 3], 'SeparableConv2D', { filters: 5, depth_multiplier: 2 }],
  ['DepthwiseConv2D same', [8, 8, 3], 'DepthwiseConv2D', { depth_multiplier: 2, padding: 'same' }],
  ['Conv1D valid', [10, 3], 'Conv1D', { filters: 4 }],
  ['Conv1D same stride 2', [10, 3], 'Conv1D', { filters: 4, strides: [2], padding: 'same' }],
  ['MaxPooling2D', [9, 9, 2], 'MaxPooling2D', {}],
  [
    'MaxPooling2D same 3 stride 2',
    [9, 9, 2],
    'MaxPooling2D',
    { pool_size: [3, 3], strides: [2, 2], padding: 'same' },
  ],
  ['AveragePooling2D', [8, 6, 2], 'AveragePooling2D', { pool_size: [2, 3] }],
  ['MaxPooling1D', [9, 2], 'MaxPooling1D', {}],
  ['AveragePooling1D same', [9, 2], 'AveragePooling1D', { pool_size: [3], padding: 'same' }],
  ['GlobalMaxPooling1D', [9, 2], 'GlobalMaxPooling1D', {}],
  ['GlobalAveragePooling1D', [9, 2], 'GlobalAveragePooling1D', {}],
  ['GlobalMaxPooling2D', [5, 5, 3], 'GlobalMaxPooling2D', {}],
  ['GlobalAveragePooling2D', [5, 5, 3], 'GlobalAveragePooling2D', {}],
  ['UpSampling2D', [3, 4, 2], 'UpSampling2D', { size: [2, 3] }],
  ['ZeroPadding2D', [3, 4, 2], 'ZeroPadding2D', { padding: [1, 2] }],
  ['Cropping2D', [6, 7, 2], 'Cropping2D', { cropping: [1, 2] }],
  ['BatchNormalization', [4, 4, 3], 'BatchNormalization', {}],
  ['BatchNormalization on vectors', [5], 'BatchNormalization', { momentum: 0.9 }],
  ['LayerNormalization', [4, 6], 'LayerNormalization', {}],
  ['LayerNormalization on vectors', [6], 'LayerNormalization', { epsilon: 0.01 }],
  ['SpatialDropout1D', [6, 4], 'SpatialDropout1D', { rate: 0.2 }],
  ['GaussianNoise', [6], 'GaussianNoise', { stddev: 0.2 }],
  ['GaussianDropout', [6], 'GaussianDropout', { rate: 0.2 }],
  ['AlphaDropout', [6], 'AlphaDropout', { rate: 0.2 }],
  ['ReLU', [6], 'ReLU', {}],
  ['LeakyReLU', [6], 'LeakyReLU', { alpha: 0.1 }],
  ['PReLU', [3, 4], 'PReLU', {}],
  ['ELU', [6], 'ELU', {}],
  ['Softmax', [6], 'Softmax', {}],
  ['Embedding', [7], 'Embedding', { input_dim: 50, output_dim: 4 }],
  ['SimpleRNN', [5, 3], 'SimpleRNN', { units: 4 }],
  ['SimpleRNN sequences', [5, 3], 'SimpleRNN', { units: 4, return_sequences: true, activation: 'relu' }],
  ['LSTM', [5, 3], 'LSTM', { units: 4 }],
  ['LSTM sequences, no bias', [5, 3], 'LSTM', { units: 2, return_sequences: true, use_bias: false }],
  ['GRU', [5, 3], 'GRU', { units: 4 }],
  ['Bidirectional LSTM', [5, 3], 'Bidirectional', { layer: 'LSTM', units: 4 }],
  [
    'Bidirectional GRU sum, sequences',
    [5, 3],
    'Bidirectional',
    { layer: 'GRU', units: 3, merge_mode: 'sum', return_sequences: true },
  ],
  ['Bidirectional SimpleRNN', [5, 3], 'Bidirectional', { layer: 'SimpleRNN', units: 2, merge_mode: 'ave' }],
  ['TimeDistributed', [5, 3], 'TimeDistributed', { units: 6, activation: 'relu' }],
  ['Add', [4, 3], 'Add', {}, [4, 3]],
  ['Subtract', [5], 'Subtract', {}, [5]],
  ['Multiply', [5], 'Multiply', {}, [5]],
  ['Average', [2, 2, 3], 'Average', {}, [2, 2, 3]],
  ['Maximum', [5], 'Maximum', {}, [5]],
  ['Minimum', [5], 'Minimum', {}, [5]],
  ['Concatenate last axis', [4, 3], 'Concatenate', {}, [4, 5]],
  ['Concatenate axis 1', [4, 3], 'Concatenate', { axis: 1 }, [2, 3]],
  ['Dot', [6], 'Dot', { axes: 1 }, [6]],
  ['Dot normalized', [6], 'Dot', { axes: 1, normalize: true }, [6]],
]

/**
 * Input → the layer. For the training step a Dense (same width) goes first, so that a layer without
 * weights still has gradients flowing through it.
 */
function docFor(
  input: number[],
  className: string,
  params: Params,
  withDense = false,
  second?: number[],
): NetDocument {
  const shapes = second ? [input, second] : [input]
  const nodes: NetNode[] = [{ id: 'l', className, name: 'layer', params, position: { x: 0, y: 100 } }]
  const edges: NetDocument['edges'] = []
  // An Embedding reads word indices straight from an int32 Input (no Dense can come before it).
  const ints = className === 'Embedding'
  const pre = withDense && !ints
  shapes.forEach((shape, i) => {
    const inputParams = { shape, dtype: ints ? 'int32' : 'float32' }
    nodes.push({
      id: `in${i}`,
      className: 'InputLayer',
      name: `input_${i}`,
      params: inputParams,
      position: { x: 0, y: 0 },
    })
    if (pre) {
      const units = shape.at(-1)!
      nodes.push({
        id: `d${i}`,
        className: 'Dense',
        name: `pre_${i}`,
        params: { units },
        position: { x: 0, y: 0 },
      })
      edges.push({ id: `p${i}`, source: `in${i}`, target: `d${i}`, targetPort: 0 })
    }
    edges.push({ id: `e${i}`, source: pre ? `d${i}` : `in${i}`, target: 'l', targetPort: i })
  })
  return { ...shapesDoc(), style: second ? 'functional' : 'sequential', nodes, edges }
}

describe('registry conformance with tfjs', () => {
  it('offers none of the options tfjs 4.22 cannot train (see the README)', () => {
    const spec = (c: string) => LAYERS.find((l) => l.className === c)!
    expect(LAYERS.filter((l) => 'dilation_rate' in l.params).map((l) => l.className)).toEqual([])
    const padding = spec('Conv1D').params.padding!
    expect(padding.kind === 'choice' && padding.options).toEqual(['valid', 'same'])
    for (const c of ['BatchNormalization', 'LayerNormalization'])
      expect(Object.keys(spec(c).params)).not.toContain('center')
    expect(LAYERS.map((l) => l.className)).not.toContain('ThresholdedReLU')
  })

  it('has a case for every layer in the palette', () => {
    const covered = new Set(CASES.map((c) => c[2]))
    expect(LAYERS.map((l) => l.className).filter((c) => c !== 'InputLayer' && !covered.has(c))).toEqual([])
  })

  for (const style of ['sequential', 'functional'] as const)
    it.each(CASES.filter((c) => style === 'functional' || !c[4]))(
      `%s (${style}): shape and parameters equal tfjs's`,
      async (_label, input, className, params, second) => {
        const doc = { ...docFor(input, className, params, false, second), style }
        const a = analyze(doc)
        expect(a.problems).toEqual([])
        const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc, a) as never })
        try {
          const layer = model.getLayer('layer')
          expect(layer.outputShape).toEqual(a.nodes.l!.outputShape)
          expect(layer.countParams()).toBe(a.nodes.l!.params)
          const trainable = layer.trainableWeights.reduce(
            (s, w) => s + (w.shape as number[]).reduce((x, y) => x * y, 1),
            0,
          )
          expect(trainable).toBe(a.trainableParams)
          expect(model.countParams()).toBe(a.totalParams)
        } finally {
          model.dispose()
        }
      },
    )

  it('a whole CNN: shapes, totals and trainable counts', async () => {
    const chainOf = (input: number[], layers: [string, Params][]): NetDocument => {
      const nodes: NetNode[] = [
        {
          id: 'n0',
          className: 'InputLayer',
          name: 'input',
          params: { shape: input },
          position: { x: 0, y: 0 },
        },
        ...layers.map(([className, params], i) => ({
          id: `n${i + 1}`,
          className,
          name: `l${i + 1}`,
          params,
          position: { x: 0, y: 0 },
        })),
      ]
      const edges = nodes
        .slice(1)
        .map((n, i) => ({ id: `e${i}`, source: `n${i}`, target: n.id, targetPort: 0 }))
      return { ...shapesDoc(), nodes, edges }
    }
    const doc = chainOf(
      [28, 28, 1],
      [
        ['Conv2D', { filters: 8, activation: 'relu' }],
        ['BatchNormalization', {}],
        ['MaxPooling2D', {}],
        ['Conv2D', { filters: 16, padding: 'same' }],
        ['GlobalAveragePooling2D', {}],
        ['Dense', { units: 10, activation: 'softmax' }],
      ],
    )
    const a = analyze(doc)
    expect(a.nodes.n2!.outputShape).toEqual([null, 26, 26, 8])
    expect(a.nodes.n3!.outputShape).toEqual([null, 13, 13, 8])
    expect(a.totalParams).toBe(80 + 32 + 1168 + 170)
    expect(a.nonTrainableParams).toBe(16)
    const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc, a) as never })
    expect(model.countParams()).toBe(a.totalParams)
    model.dispose()
  })
})

describe('every layer trains one step', async () => {
  const backends = ['cpu', 'wasm'] as const
  afterAll(async () => {
    await tf.setBackend('cpu')
  })
  for (const backend of backends)
    it.each(CASES)(`%s on ${backend}`, async (_label, input, className, params, second) => {
      await chooseBackend(backend)
      const doc = docFor(input, className, params, true, second)
      const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc) as never })
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' })
      const out = model.outputs[0]!.shape.slice(1) as number[]
      const x = (second ? [input, second] : [input]).map((s) =>
        className === 'Embedding'
          ? tf.randomUniform([4, ...s], 0, params.input_dim as number, 'int32')
          : tf.randomNormal([4, ...s]),
      )
      const y = tf.randomNormal([4, ...out])
      try {
        // Every layer trains on wasm too: wasm-kernels.ts adds the gradient kernels tfjs lacks there.
        expect(Number.isFinite(await model.trainOnBatch(x, y))).toBe(true)
      } finally {
        tf.dispose([...x, y])
        model.dispose()
      }
    })
})
