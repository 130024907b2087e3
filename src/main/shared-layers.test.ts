// A shared layer: one layer applied at several places, its weights counted once, built by tfjs from
// our Keras config with one inbound node per use.
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { analyze } from '../shared/graph/analyze'
import type { NetDocument, NetNode } from '../shared/graph/schema'
import { toKerasConfig } from '../shared/keras/config'
import { fromKerasJson } from '../shared/keras/import'
import { shapesDoc } from '../shared/testing'

const node = (
  id: string,
  className: string,
  params: Record<string, unknown> = {},
  sharedWith?: string,
): NetNode => ({
  id,
  className,
  name: id,
  params,
  position: { x: 0, y: 0 },
  ...(sharedWith ? { sharedWith } : {}),
})
const edge = (source: string, target: string, targetPort = 0) => ({
  id: `${source}-${target}`,
  source,
  target,
  targetPort,
})

/** Two inputs through the same Dense (a siamese pair), merged and classified. */
const siamese = (): NetDocument => ({
  ...shapesDoc(),
  style: 'functional',
  nodes: [
    node('a', 'InputLayer', { shape: [6] }),
    node('b', 'InputLayer', { shape: [6] }),
    node('encoder', 'Dense', { units: 4, activation: 'relu' }),
    node('encoder_b', 'Dense', {}, 'encoder'),
    node('join', 'Concatenate'),
    node('out', 'Dense', { units: 2, activation: 'softmax' }),
  ],
  edges: [
    edge('a', 'encoder'),
    edge('b', 'encoder_b'),
    edge('encoder', 'join', 0),
    edge('encoder_b', 'join', 1),
    edge('join', 'out'),
  ],
})

/** One input through the same Dense twice in a row. */
const twice = (): NetDocument => ({
  ...shapesDoc(),
  style: 'functional',
  nodes: [
    node('in', 'InputLayer', { shape: [3] }),
    node('d', 'Dense', { units: 3, activation: 'tanh' }),
    node('d_again', 'Dense', {}, 'd'),
    node('out', 'Dense', { units: 2 }),
  ],
  edges: [edge('in', 'd'), edge('d', 'd_again'), edge('d_again', 'out')],
})

describe('shared layers', () => {
  it.each([
    ['siamese', siamese, 6 * 4 + 4 + 8 * 2 + 2],
    ['applied twice in a row', twice, 3 * 3 + 3 + 3 * 2 + 2],
  ] as const)('%s: weights counted once, and tfjs agrees and trains', async (_n, make, total) => {
    const doc = make()
    const a = analyze(doc)
    expect(a.problems).toEqual([])
    expect(a.totalParams).toBe(total)
    const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc, a) as never })
    try {
      expect(model.countParams()).toBe(total)
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })
      const xs = model.inputs.map((i) => tf.randomNormal([4, ...(i.shape.slice(1) as number[])]))
      const y = tf.randomNormal([4, model.outputs[0]!.shape[1] as number])
      expect(Number.isFinite(await model.trainOnBatch(xs, y))).toBe(true)
      tf.dispose([...xs, y])
    } finally {
      model.dispose()
    }
  })

  it('writes one layer with an inbound node per use, and imports it back as linked nodes', () => {
    const doc = siamese()
    const cfg = toKerasConfig(doc)
    const encoder = cfg.config.layers.find((l) => l.name === 'encoder')!
    expect(encoder.inbound_nodes).toEqual([[['a', 0, 0, {}]], [['b', 0, 0, {}]]])
    expect(cfg.config.layers.find((l) => l.name === 'join')!.inbound_nodes).toEqual([
      [
        ['encoder', 0, 0, {}],
        ['encoder', 1, 0, {}],
      ],
    ])
    const back = fromKerasJson(JSON.parse(JSON.stringify(cfg)))
    expect(back.warnings).toEqual([])
    expect(analyze(back.document).totalParams).toBe(analyze(doc).totalParams)
    expect(back.document.nodes.filter((n) => n.sharedWith === 'encoder')).toHaveLength(1)
  })

  it('explains a use whose input does not fit the shared weights, and a reuse in a Sequential model', () => {
    const doc = siamese()
    doc.nodes[1]!.params.shape = [5]
    expect(analyze(doc).nodes.encoder_b!.errors[0]).toBe(
      'A shared layer must get inputs of the same shape at every use: here (None, 5), at encoder (None, 6).',
    )
    expect(analyze({ ...twice(), style: 'sequential' }).nodes.d_again!.errors[0]).toContain(
      'A Sequential model cannot reuse a layer',
    )
  })
})
