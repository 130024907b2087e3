import { beforeEach, describe, expect, it } from 'vitest'
import { analyze } from '../../../shared/graph/analyze'
import { shapesDoc } from '../../../shared/testing'
import { isDirty, useDoc } from './document'

const s = () => useDoc.getState()

describe('the document store', () => {
  beforeEach(() => s().load(shapesDoc(), null))

  it('makes a whole drag one undo step', () => {
    for (let x = 1; x <= 20; x++) s().dragTo({ dense: { x, y: 260 } })
    s().endDrag()
    expect(s().doc.nodes.find((n) => n.id === 'dense')!.position.x).toBe(20)
    expect(s().past).toHaveLength(1)
    s().undo()
    expect(s().doc.nodes.find((n) => n.id === 'dense')!.position.x).toBe(0)
    s().redo()
    expect(s().doc.nodes.find((n) => n.id === 'dense')!.position.x).toBe(20)
  })

  it('adds a layer from the palette (Enter, double-click) connected after the last one, or after the selected one', () => {
    const id = s().appendLayer('Dense')
    let a = analyze(s().doc)
    expect(a.ok).toBe(true)
    expect(a.order).toEqual(['input', 'flatten', 'dense', 'dense_1', id])
    expect(s().selection).toEqual([id])
    expect(s().doc.nodes.find((n) => n.id === id)!.position.y).toBeGreaterThan(390)
    s().undo()
    expect(s().doc.nodes).toHaveLength(4)
    // With a layer selected, the new one goes right after it, and what followed it follows the new one.
    s().select(['dense'])
    const drop = s().appendLayer('Dropout')
    a = analyze(s().doc)
    expect(a.ok).toBe(true)
    expect(a.order).toEqual(['input', 'flatten', 'dense', drop, 'dense_1'])
    // An Input takes no connection in.
    const input = s().appendLayer('InputLayer')
    expect(s().doc.edges.some((e) => e.target === input)).toBe(false)
  })

  it('inserts a layer dropped on a connection between its ends, as one step', () => {
    const edge = s().doc.edges.find((e) => e.source === 'dense' && e.target === 'dense_1')!
    const id = s().addLayer('Dropout', { x: 0, y: 320 }, edge.id)
    const a = analyze(s().doc)
    expect(a.ok).toBe(true)
    expect(a.order).toEqual(['input', 'flatten', 'dense', id, 'dense_1'])
    expect(s().doc.nodes.find((n) => n.id === id)!.name).toBe('dropout')
    expect(s().selection).toEqual([id])
    s().undo()
    expect(s().doc).toEqual(shapesDoc())
  })

  it('lays the graph out again on a layout change, one undo step that gives the positions back as they were', () => {
    const before = s().doc
    s().setLayout({ direction: 'right' })
    expect(s().relayoutPending).toBe(true)
    expect(s().doc.layout).toEqual({ direction: 'right', compact: false })
    const ys = new Set(s().doc.nodes.map((n) => n.position.y))
    expect(ys.size).toBe(1)
    // Undone before the canvas measured it: nothing is laid out afresh afterwards.
    s().undo()
    expect(s().relayoutPending).toBe(false)
    expect(s().doc).toBe(before)
    // The same choice again is no step at all.
    s().setLayout({ direction: 'down', compact: false })
    s().setLayout({ direction: 'down', compact: false })
    expect(s().past).toHaveLength(1)
  })

  it('makes room for a layer dropped on a connection: it covers neither end, and what follows moves down', () => {
    const box = (id: string) => {
      const n = s().doc.nodes.find((m) => m.id === id)!
      return { x: n.position.x, y: n.position.y, w: 220, h: 90 }
    }
    const overlap = (a: string, b: string) => {
      const p = box(a)
      const q = box(b)
      return p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h
    }
    const sizes = Object.fromEntries(s().doc.nodes.map((n) => [n.id, { width: 220, height: 90 }]))
    const before = box('dense_1').y
    const edge = s().doc.edges.find((e) => e.source === 'dense' && e.target === 'dense_1')!
    // Dropped right on the line, between the two layers as the shapes project has them.
    const id = s().addLayer('Dropout', { x: 0, y: (box('dense').y + before) / 2 }, edge.id, sizes)
    for (const other of ['input', 'flatten', 'dense', 'dense_1'])
      expect(overlap(id, other), other).toBe(false)
    expect(box(id).y).toBeGreaterThan(box('dense').y)
    expect(box('dense_1').y).toBeGreaterThan(box(id).y)
    expect(box('dense_1').y).toBeGreaterThan(before)
    // The layers above the drop stay where they were.
    expect(box('dense').y).toBe(shapesDoc().nodes.find((n) => n.id === 'dense')!.position.y)
  })

  it('removes a layer from the middle of a chain and joins the chain; undo brings all back', () => {
    s().remove(['flatten'])
    expect(s().doc.nodes.map((n) => n.id)).not.toContain('flatten')
    expect(s().doc.edges.map((e) => [e.source, e.target])).toEqual([
      ['dense', 'dense_1'],
      ['input', 'dense'],
    ])
    s().undo()
    expect(s().doc).toEqual(shapesDoc())
    // A connection removed with the layer is not joined; nor is the end of a chain.
    const into = s().doc.edges.find((e) => e.target === 'flatten')!.id
    s().remove(['flatten', into])
    expect(s().doc.edges).toHaveLength(1)
    s().undo()
    s().remove(['dense_1'])
    expect(s().doc.edges).toHaveLength(2)
  })

  it('knows when there are unsaved changes', () => {
    expect(isDirty(s())).toBe(false)
    s().edit((d) => ({ ...d, name: 'Changed' }))
    expect(isDirty(s())).toBe(true)
    s().markSaved('x.netwright.json')
    expect(isDirty(s())).toBe(false)
    expect(s().path).toBe('x.netwright.json')
  })

  it('does not connect the same two layers twice', () => {
    s().connect('dense', 'dense_1')
    expect(s().doc.edges).toHaveLength(3)
    expect(s().past).toHaveLength(0)
  })

  it('names new layers the way Keras does', () => {
    s().addLayer('Dense', { x: 0, y: 0 })
    s().addLayer('Dense', { x: 0, y: 0 })
    expect(
      s()
        .doc.nodes.map((n) => n.name)
        .slice(-2),
    ).toEqual(['dense_2', 'dense_3'])
  })

  it('copies and pastes a selection with its inner connections, under new names, as one step', () => {
    s().select(['dense', 'dense_1'])
    expect(s().copy()).toBe(2)
    expect(s().paste()).toBe(2)
    const doc = s().doc
    expect(doc.nodes.map((n) => n.name)).toEqual([
      'input',
      'flatten',
      'dense',
      'dense_1',
      'dense_2',
      'dense_3',
    ])
    const pasted = doc.nodes.slice(4)
    expect(pasted[0]!.position).toEqual({ x: 40, y: 300 })
    expect(s().selection).toEqual(pasted.map((n) => n.id))
    expect(doc.edges.filter((e) => e.source === pasted[0]!.id && e.target === pasted[1]!.id)).toHaveLength(1)
    expect(doc.edges).toHaveLength(4)
    expect(s().past).toHaveLength(1)
    s().paste()
    expect(s().doc.nodes.at(-1)!.position).toEqual({ x: 80, y: 470 })
    s().undo()
    s().undo()
    expect(s().doc).toEqual(shapesDoc())
  })

  it('duplicates without touching the clipboard, and selects everything with selectAll', () => {
    s().select(['flatten'])
    s().copy()
    s().select(['dense'])
    expect(s().duplicate()).toBe(1)
    expect(s().clipboard!.nodes.map((n) => n.name)).toEqual(['flatten'])
    s().selectAll()
    expect(s().selection).toHaveLength(5)
  })

  it('tidies a scrambled graph into rows, inputs first, as one step', () => {
    s().edit((d) => ({
      ...d,
      nodes: d.nodes.map((n, i) => ({ ...n, position: { x: 500 - i * 97, y: 300 - i * 71 } })),
    }))
    s().tidy()
    const ys = s().doc.nodes.map((n) => n.position.y)
    expect(ys).toEqual([...ys].sort((a, b) => a - b))
    expect(new Set(s().doc.nodes.map((n) => n.position.x)).size).toBe(1)
    expect(s().past).toHaveLength(2)
  })

  it('offers Functional instead of branching a Sequential model, and connects only when accepted', () => {
    s().addLayer('Dense', { x: 300, y: 300 })
    const side = s().selection[0]!
    const steps = s().past.length
    s().connect('dense', side)
    expect(s().offer?.reason).toBe('dense already feeds a layer, and a Sequential model is a single chain.')
    expect(s().doc.edges).toHaveLength(3)
    s().dismissOffer()
    expect(s().offer).toBeNull()
    s().connect('dense', side)
    s().acceptOffer()
    expect(s().doc.style).toBe('functional')
    expect(s().doc.edges).toHaveLength(4)
    expect(s().past.length).toBe(steps + 1)
    // A branching graph cannot go back to Sequential; a chain can.
    expect(s().setStyle('sequential')).toContain('can only be Functional')
    s().undo()
    s().edit((d) => ({ ...d, style: 'functional' }))
    expect(s().setStyle('sequential')).toBeNull()
    expect(s().doc.style).toBe('sequential')
  })

  it('reuses a layer as a linked node, and removing the layer removes its other uses', () => {
    s().edit((d) => ({ ...d, style: 'functional' }))
    s().reuse('dense_1')
    const use = s().doc.nodes.at(-1)!
    expect(use).toMatchObject({ className: 'Dense', name: 'dense_1_use2', sharedWith: 'dense_1', params: {} })
    expect(s().selection).toEqual([use.id])
    s().reuse(use.id)
    expect(s().doc.nodes).toHaveLength(5)
    s().remove(['dense_1'])
    expect(s().doc.nodes.map((n) => n.id)).toEqual(['input', 'flatten', 'dense'])
    s().undo()
    expect(s().doc.nodes).toHaveLength(5)
  })
})
