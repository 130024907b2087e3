// The registry's shapes and parameter counts against tfjs's own, layer by layer, for every layer the
// palette offers, in Sequential and Functional form.
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { analyze } from '../../shared/graph/analyze'
import type { NetDocument, NetNode } from '../../shared/graph/schema'
import { toKerasConfig } from '../../shared/keras/config'
import { shapesDoc } from '../../shared/testing'

function chain(inputShape: number[], layers: Omit<NetNode, 'position' | 'id'>[]): NetDocument {
  const nodes: NetNode[] = [
    {
      id: 'in',
      className: 'InputLayer',
      name: 'input',
      params: { shape: inputShape },
      position: { x: 0, y: 0 },
    },
    ...layers.map((l, i) => ({ ...l, id: `n${i}`, position: { x: 0, y: 0 } })),
  ]
  return {
    ...shapesDoc(),
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id, targetPort: 0 })),
  }
}

const CASES: [string, NetDocument][] = [
  ['the default project', shapesDoc()],
  [
    'every palette layer',
    chain(
      [4, 6],
      [
        { className: 'Dense', name: 'dense', params: { units: 5, activation: 'tanh', use_bias: true } },
        { className: 'Activation', name: 'act', params: { activation: 'gelu' } },
        { className: 'Dropout', name: 'drop', params: { rate: 0.3 } },
        { className: 'Flatten', name: 'flat', params: {} },
        { className: 'Dense', name: 'out', params: { units: 2, activation: 'sigmoid', use_bias: false } },
      ],
    ),
  ],
]

describe('registry conformance with tfjs', () => {
  for (const style of ['sequential', 'functional'] as const)
    it.each(CASES)(`%s (${style})`, async (_name, base) => {
      const doc = { ...base, style }
      const a = analyze(doc)
      expect(a.problems).toEqual([])
      const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc, a) as never })
      try {
        expect(model.countParams()).toBe(a.totalParams)
        for (const node of doc.nodes.filter((n) => n.className !== 'InputLayer')) {
          const layer = model.getLayer(node.name)
          expect(layer.outputShape, node.name).toEqual(a.nodes[node.id]!.outputShape)
          expect(layer.countParams(), node.name).toBe(a.nodes[node.id]!.params)
        }
      } finally {
        model.dispose()
      }
    })
})
