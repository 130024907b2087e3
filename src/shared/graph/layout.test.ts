import { describe, expect, it } from 'vitest'
import { shapesCnnDoc, shapesDoc } from '../testing'
import { autoLayout, NODE_HEIGHT, NODE_WIDTH } from './layout'
import { DocumentSchema } from './schema'

const chain = ['input', 'flatten', 'dense', 'dense_1']

describe('the auto layout', () => {
  it('lays a chain out top to bottom by default, and left to right when the document says so', () => {
    const down = autoLayout(shapesDoc())
    for (let i = 1; i < chain.length; i++) {
      expect(down[chain[i]!]!.y).toBeGreaterThanOrEqual(down[chain[i - 1]!]!.y + NODE_HEIGHT)
      expect(down[chain[i]!]!.x).toBe(down[chain[0]!]!.x)
    }
    const right = autoLayout({ ...shapesDoc(), layout: { direction: 'right', compact: false } })
    for (let i = 1; i < chain.length; i++) {
      expect(right[chain[i]!]!.x).toBeGreaterThanOrEqual(right[chain[i - 1]!]!.x + NODE_WIDTH)
      expect(right[chain[i]!]!.y).toBe(right[chain[0]!]!.y)
    }
  })

  it('packs the compact layout tighter, and keeps measured layers apart', () => {
    const doc = shapesCnnDoc()
    const span = (at: Record<string, { x: number; y: number }>) => {
      const ys = Object.values(at).map((p) => p.y)
      return Math.max(...ys) - Math.min(...ys)
    }
    const full = autoLayout(doc)
    const compact = autoLayout({ ...doc, layout: { direction: 'down', compact: true } })
    expect(span(compact)).toBeLessThan(span(full))
    // A tall layer (one showing an error) pushes the next one down by its measured height.
    const tall = doc.nodes[1]!.id
    const sizes = { [tall]: { width: NODE_WIDTH, height: 200 } }
    const at = autoLayout(doc, sizes)
    const next = doc.edges.find((e) => e.source === tall)!.target
    expect(at[next]!.y).toBeGreaterThanOrEqual(at[tall]!.y + 200)
  })

  it('reads a document without a layout (every earlier project) as top to bottom, full', () => {
    const parsed = DocumentSchema.parse({ ...shapesDoc(), layout: {} })
    expect(parsed.layout).toEqual({ direction: 'down', compact: false })
    expect(DocumentSchema.parse(shapesDoc()).layout).toBeUndefined()
    expect(() => DocumentSchema.parse({ ...shapesDoc(), layout: { direction: 'sideways' } })).toThrow()
  })
})
