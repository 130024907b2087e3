import { describe, expect, it } from 'vitest'
import { shapesDoc } from '../testing'
import { analyze } from './analyze'
import type { NetDocument } from './schema'

const messages = (doc: NetDocument) => analyze(doc).problems.map((p) => p.message)

describe('analyze', () => {
  it('infers every shape and parameter count of the default project', () => {
    const a = analyze(shapesDoc())
    expect(a.ok).toBe(true)
    expect(a.nodes.input!.outputShape).toEqual([null, 28, 28])
    expect(a.nodes.flatten!.outputShape).toEqual([null, 784])
    expect(a.nodes.dense!.outputShape).toEqual([null, 128])
    expect(a.nodes.dense!.params).toBe(784 * 128 + 128)
    expect(a.nodes.dense_1!.params).toBe(128 * 3 + 3)
    expect(a.totalParams).toBe(100_867)
    expect(a.order).toEqual(['input', 'flatten', 'dense', 'dense_1'])
  })

  it('counts a Dense without bias', () => {
    const doc = shapesDoc()
    doc.nodes[3]!.params.use_bias = false
    expect(analyze(doc).nodes.dense_1!.params).toBe(384)
  })

  it('points at the connection that closes a cycle', () => {
    const doc = shapesDoc()
    doc.edges.push({ id: 'back', source: 'dense_1', target: 'dense', targetPort: 1 })
    const a = analyze(doc)
    expect(a.ok).toBe(false)
    const loop = a.problems.find((p) => p.edgeId === 'back')
    expect(loop?.message).toContain('closes a loop')
  })

  it('reports an edge to a missing node and keeps the rest of the graph', () => {
    const doc = shapesDoc()
    doc.edges.push({ id: 'ghost', source: 'dense_1', target: 'nowhere', targetPort: 0 })
    const a = analyze(doc)
    expect(a.problems).toEqual([
      { edgeId: 'ghost', message: expect.stringContaining('does not exist (nowhere)') },
    ])
    expect(a.totalParams).toBe(100_867)
  })

  it('marks an unknown layer on its node', () => {
    const doc = shapesDoc()
    doc.nodes[2]!.className = 'Dense3D'
    const a = analyze(doc)
    expect(a.nodes.dense!.errors[0]).toContain('Unknown layer type "Dense3D"')
  })

  it.each([
    ['units', 'many', 'units must be a whole number; received "many"'],
    ['units', 0, 'units must be at least 1; received 0'],
    ['units', 2.5, 'units must be a whole number; received 2.5'],
    ['activation', 'sparkle', 'activation must be one of'],
    ['use_bias', 'yes', 'use_bias must be true or false'],
  ])('refuses %s = %j with a readable message', (param, value, message) => {
    const doc = shapesDoc()
    doc.nodes[2]!.params[param] = value
    expect(analyze(doc).nodes.dense!.errors[0]).toContain(message)
  })

  it('refuses a bad Input shape and a Dropout rate of 1', () => {
    const doc = shapesDoc()
    doc.nodes[0]!.params.shape = [28, -1]
    expect(messages(doc).join()).toContain('shape must be a list of positive whole numbers')
    const d2 = shapesDoc()
    d2.nodes.push({
      id: 'drop',
      className: 'Dropout',
      name: 'dropout',
      params: { rate: 1 },
      position: { x: 0, y: 0 },
    })
    expect(analyze(d2).nodes.drop!.errors.join()).toContain('rate must be below 1')
  })

  it('explains two inputs into a one-input layer, and a layer with no input', () => {
    const doc = shapesDoc()
    doc.edges.push({ id: 'extra', source: 'input', target: 'dense', targetPort: 1 })
    expect(analyze(doc).nodes.dense!.errors.join()).toContain(
      'Dense takes one input, but 2 layers are connected to it',
    )
    const d2 = shapesDoc()
    d2.edges = d2.edges.filter((e) => e.id !== 'e2')
    expect(analyze(d2).nodes.dense!.errors.join()).toContain('Dense has no input')
  })

  it('keeps a Sequential model a single chain', () => {
    const doc = shapesDoc()
    doc.nodes.push({
      id: 'side',
      className: 'Dense',
      name: 'side',
      params: { units: 2 },
      position: { x: 0, y: 0 },
    })
    doc.edges.push({ id: 'branch', source: 'dense', target: 'side', targetPort: 0 })
    expect(messages(doc).join()).toContain('Switch the model to Functional to branch')
    expect(analyze({ ...doc, style: 'functional' }).ok).toBe(true)
  })

  it('says what to do with an empty model or one without an Input', () => {
    expect(messages({ ...shapesDoc(), nodes: [], edges: [] })).toEqual([
      expect.stringContaining('The model is empty'),
    ])
    const doc = shapesDoc()
    doc.nodes = doc.nodes.filter((n) => n.id !== 'input')
    expect(messages(doc).join()).toContain('no Input layer')
  })

  it('explains Dense fed a 1-D shape it cannot use', () => {
    const doc = shapesDoc()
    doc.nodes[0]!.params.shape = [5]
    doc.edges = [
      { id: 'a', source: 'input', target: 'dense', targetPort: 0 },
      { id: 'b', source: 'dense', target: 'dense_1', targetPort: 0 },
    ]
    doc.nodes = doc.nodes.filter((n) => n.id !== 'flatten')
    expect(analyze(doc).ok).toBe(true)
    expect(analyze(doc).totalParams).toBe(5 * 128 + 128 + 387)
  })

  describe('merge layers', () => {
    const merge = (
      className: string,
      a: number[],
      b: number[],
      params: Record<string, unknown> = {},
    ): NetDocument => ({
      ...shapesDoc(),
      style: 'functional',
      nodes: [
        { id: 'a', className: 'InputLayer', name: 'a', params: { shape: a }, position: { x: 0, y: 0 } },
        { id: 'b', className: 'InputLayer', name: 'b', params: { shape: b }, position: { x: 0, y: 0 } },
        { id: 'm', className, name: 'm', params, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'ea', source: 'a', target: 'm', targetPort: 0 },
        { id: 'eb', source: 'b', target: 'm', targetPort: 1 },
      ],
    })

    it('adds equal shapes and explains unequal ones', () => {
      expect(analyze(merge('Add', [4, 3], [4, 3])).nodes.m!.outputShape).toEqual([null, 4, 3])
      expect(analyze(merge('Add', [32], [16])).nodes.m!.errors[0]).toBe(
        'Add needs inputs of the same shape; received (None, 32) and (None, 16). Make the layers before it output the same shape.',
      )
      expect(analyze(merge('Multiply', [2, 2], [4])).nodes.m!.errors[0]).toContain(
        'Multiply needs inputs of the same shape',
      )
    })

    it('concatenates along an axis and explains a mismatch on another one', () => {
      expect(analyze(merge('Concatenate', [4, 3], [4, 5])).nodes.m!.outputShape).toEqual([null, 4, 8])
      expect(analyze(merge('Concatenate', [4, 3], [2, 3], { axis: 1 })).nodes.m!.outputShape).toEqual([
        null,
        6,
        3,
      ])
      expect(analyze(merge('Concatenate', [4, 3], [2, 3])).nodes.m!.errors[0]).toBe(
        'Concatenate along axis -1 needs every other dimension equal, but dimension 1 differs: (None, 4, 3) and (None, 2, 3).',
      )
      expect(analyze(merge('Concatenate', [4, 3], [4, 3], { axis: 3 })).nodes.m!.errors[0]).toContain(
        'axis 3 does not fit',
      )
    })

    it('asks for two inputs where a merge has one, and refuses merges in a Sequential model', () => {
      const one = merge('Add', [4], [4])
      one.edges = one.edges.slice(0, 1)
      expect(analyze(one).nodes.m!.errors.join()).toContain(
        'Add merges two or more inputs; connect at least two',
      )
      expect(
        analyze({ ...merge('Add', [4], [4]), style: 'sequential' })
          .problems.map((p) => p.message)
          .join(),
      ).toContain('A Sequential model has exactly one Input')
    })
  })

  describe('recurrent layers', () => {
    const seq = (
      input: Record<string, unknown>,
      className: string,
      params: Record<string, unknown> = {},
    ): NetDocument => ({
      ...shapesDoc(),
      nodes: [
        { id: 'in', className: 'InputLayer', name: 'input', params: input, position: { x: 0, y: 0 } },
        { id: 'l', className, name: 'l', params, position: { x: 0, y: 0 } },
      ],
      edges: [{ id: 'e', source: 'in', target: 'l', targetPort: 0 }],
    })

    it('explains an RNN fed 2-D data', () => {
      expect(analyze(seq({ shape: [784] }, 'LSTM')).nodes.l!.errors[0]).toBe(
        'LSTM expects a 3D input (batch, steps, features); received (None, 784). An RNN reads sequences of shape (steps, features): start from an Embedding, or give the Input a shape such as [28, 28] (28 steps of 28 values).',
      )
      expect(analyze(seq({ shape: [28, 28] }, 'LSTM', { units: 16 })).nodes.l!.outputShape).toEqual([
        null,
        16,
      ])
      expect(
        analyze(seq({ shape: [28, 28] }, 'GRU', { units: 8, return_sequences: true })).nodes.l!.outputShape,
      ).toEqual([null, 28, 8])
    })

    it('explains a Flatten of samples that are already vectors (tfjs refuses it)', () => {
      expect(analyze(seq({ shape: [2] }, 'Flatten')).nodes.l!.errors[0]).toBe(
        'Flatten unrolls samples with two or more dimensions, but it receives (None, 2): each sample is already a vector. Remove the Flatten.',
      )
    })

    it('takes an Embedding fed float word indices, as Keras does (it casts them)', () => {
      const floats = analyze(seq({ shape: [100] }, 'Embedding', { input_dim: 500, output_dim: 8 }))
      expect(floats.problems).toEqual([])
      expect(floats.nodes.l!.outputShape).toEqual([null, 100, 8])
      const ok = analyze(
        seq({ shape: [100], dtype: 'int32' }, 'Embedding', { input_dim: 500, output_dim: 8 }),
      )
      expect(ok.nodes.l!.outputShape).toEqual([null, 100, 8])
      expect(ok.nodes.l!.params).toBe(4000)
    })
  })
})
