// The layer registry against tfjs itself: for every palette layer, tfjs builds the layer from our
// Keras config, and its output shape and parameter counts must equal ours; then the layer trains one
// step on every backend available here.
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { analyze } from '../../shared/graph/analyze'
import type { NetDocument, NetNode } from '../../shared/graph/schema'
import { toKerasConfig } from '../../shared/keras/config'
import { LAYERS, type Params } from '../../shared/layers'
import { shapesDoc } from '../../shared/testing'
import { chooseBackend } from './backends'
import { registerCustomLayers } from './custom-layers'

registerCustomLayers(tf)

import { CASES, docFor } from './layer-cases'

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
