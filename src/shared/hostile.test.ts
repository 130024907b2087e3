// Documents and model files built to break the graph passes: long chains, deep nesting, nulls where
// Keras writes objects, ids that are property names, and sizes far beyond a drawn model. Each gets
// an answer or a sentence, never a stack overflow or a TypeError.
import { describe, expect, it } from 'vitest'
import { analyze } from './graph/analyze'
import { autoLayout } from './graph/layout'
import { DocumentError, MAX_LAYERS, validateDocument } from './graph/load'
import type { NetDocument } from './graph/schema'
import { fromKerasJson, openModelText } from './keras/import'
import { toKerasConfig } from './keras/config'
import { jsonOutOfBounds, showValue } from './json-limits'
import { shapesDoc } from './testing'

/** Input → n Dense layers, Sequential or Functional. */
function chain(
  n: number,
  style: NetDocument['style'] = 'sequential',
  name = (i: number) => `d${i}`,
): NetDocument {
  const d = shapesDoc()
  d.style = style
  d.nodes = [
    { id: 'input', className: 'InputLayer', name: 'input', params: { shape: [4] }, position: { x: 0, y: 0 } },
    ...Array.from({ length: n }, (_, i) => ({
      id: name(i),
      className: 'Dense',
      name: name(i),
      params: { units: 4 },
      position: { x: 0, y: i * 100 },
    })),
  ]
  d.edges = d.nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i}`, source: d.nodes[i]!.id, target: n.id, targetPort: 0 }))
  return d
}

const deep = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n))

describe('graph passes on hostile documents', () => {
  it('a 20,000-layer chain is checked without recursion (the loop check used to overflow at 8,000)', () => {
    const d = chain(20_000)
    d.edges.push({ id: 'back', source: 'd19999', target: 'd0', targetPort: 0 })
    const a = analyze(d)
    expect(a.problems.map((p) => p.message)).toContain(
      'This connection closes a loop (d19999 → d0). Data must flow one way, from the inputs to the outputs.',
    )
  })

  it('a parameter nested 100,000 deep gets a short message', () => {
    const d = shapesDoc()
    d.nodes[2]!.params.units = deep(100_000)
    const a = analyze(d)
    const msg = a.nodes.dense!.errors[0]!
    expect(msg).toMatch(/^units must be a whole number; received a list of 1$/)
  })

  it('ids and names that are property names work everywhere', () => {
    const names = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf']
    const d = chain(names.length, 'functional', (i) => names[i]!)
    const a = analyze(d)
    expect(a.ok).toBe(true)
    expect(Object.keys(a.nodes).sort()).toEqual([...names, 'input'].sort())
    expect(a.nodes['__proto__']!.outputShape).toEqual([null, 4])
    const at = autoLayout(d)
    expect(Object.keys(at)).toHaveLength(names.length + 1)
    expect(toKerasConfig(d).config.layers.map((l) => l.name)).toEqual(['input', ...names])
  })

  it('a 3,000-layer model lays out (dagre overflowed) and a 10,000-layer one in well under a second', () => {
    expect(Object.keys(autoLayout(chain(3000)))).toHaveLength(3001)
    const d = chain(MAX_LAYERS - 1, 'functional')
    const t = performance.now()
    const a = analyze(d)
    toKerasConfig(d, a)
    autoLayout(d)
    expect(a.ok).toBe(true)
    expect(performance.now() - t).toBeLessThan(2000)
  })

  it('a 100,000-layer document is refused as too large, at once', () => {
    const d = chain(100_000)
    const t = performance.now()
    expect(() => validateDocument(d)).toThrow(
      'The document is too large: it has 100,001 layers and 100,000 connections, and Netwright works with up to 10,000 layers and 40,000 connections.',
    )
    expect(performance.now() - t).toBeLessThan(500)
  })

  it('a document nested deeper than any project is refused with a sentence', () => {
    const d = shapesDoc() as unknown as Record<string, unknown>
    d.description = deep(10_000)
    expect(() => validateDocument(d)).toThrow(/cannot be opened: it is nested more than 128 levels deep/)
  })
})

describe('importing hostile Keras JSON', () => {
  const seq = (layers: unknown) => ({ class_name: 'Sequential', config: { name: 'm', layers } })
  const fn = (layers: unknown, extra: Record<string, unknown> = {}) => ({
    class_name: 'Functional',
    config: { name: 'm', layers, input_layers: [['in', 0, 0]], output_layers: [['d', 0, 0]], ...extra },
  })
  const input = {
    class_name: 'InputLayer',
    name: 'in',
    config: { name: 'in', batch_input_shape: [null, 4] },
    inbound_nodes: [],
  }

  it.each([
    ['null in layers', seq([null]), /layers\.0 should be an object/],
    ['a layer without class_name', seq([{ config: {} }]), /layers\.0\.class_name should be a string/],
    ['layers as an object', seq({ a: 1 }), /: layers should be a list\.$/],
    [
      'null in inbound_nodes',
      fn([input, { class_name: 'Dense', name: 'd', config: { units: 2 }, inbound_nodes: [null] }]),
      /inbound_nodes\.0 is not in any form Keras writes/,
    ],
    [
      'null in a reference',
      fn([input, { class_name: 'Dense', name: 'd', config: { units: 2 }, inbound_nodes: [[null]] }]),
      /is not in any form Keras writes/,
    ],
    [
      'a number as a class name',
      { class_name: 7, config: [] },
      /not a Netwright project, a Keras model JSON/,
    ],
  ])('%s: refused with where it is', (_what, json, message) => {
    const err = (() => {
      try {
        fromKerasJson(json)
        return null
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(DocumentError)
    expect(String((err as Error).message)).toMatch(message)
  })

  it('null or nonsense inside keras_history is skipped with a warning, not a crash', () => {
    const k3 = (history: unknown) =>
      fn([
        input,
        {
          class_name: 'Dense',
          name: 'd',
          config: { units: 2 },
          inbound_nodes: [
            { args: [{ class_name: '__keras_tensor__', config: { keras_history: history } }], kwargs: {} },
          ],
        },
      ])
    for (const h of [null, [null, 0, 0], 'in', [{}, 'x'], deep(50)]) {
      const r = fromKerasJson(k3(h))
      expect(r.document.nodes.map((n) => n.name)).toEqual(['in', 'd'])
    }
    expect(fromKerasJson(k3(['in', 0, 0])).document.edges).toHaveLength(1)
  })

  it('a 3,000-layer Sequential imports and lays out; 100,000 layers are refused as too large', () => {
    const layers = (n: number) => [
      { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4] } },
      ...Array.from({ length: n }, (_, i) => ({ class_name: 'Dense', config: { name: `d${i}`, units: 4 } })),
    ]
    const r = fromKerasJson(seq(layers(3000)))
    expect(r.document.nodes).toHaveLength(3001)
    expect(analyze(r.document).ok).toBe(true)
    expect(() => fromKerasJson(seq(layers(100_000)))).toThrow(/is too large: it has 100,001 layers/)
  })

  it('a model file nested 200,000 deep is refused with a sentence', () => {
    const text = `{"class_name":"Sequential","config":{"layers":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`
    expect(() => openModelText(text)).toThrow(/cannot be opened: it is nested more than 128 levels deep/)
  })
})

describe('the bounds', () => {
  it('measure without recursion and say what is wrong', () => {
    expect(jsonOutOfBounds(deep(1_000_000), { maxDepth: 64, maxValues: 1e9 })).toBe(
      'it is nested more than 64 levels deep',
    )
    expect(jsonOutOfBounds(new Array(100).fill(0), { maxDepth: 64, maxValues: 50 })).toBe(
      'it holds more than 50 values',
    )
    expect(jsonOutOfBounds(shapesDoc(), { maxDepth: 8, maxValues: 1000 })).toBeNull()
  })

  it('show any value briefly', () => {
    expect(showValue('x'.repeat(500))).toHaveLength(80)
    expect(showValue(deep(100_000))).toBe('a list of 1')
    expect(showValue({ a: 1 })).toBe('{"a":1}')
  })
})
