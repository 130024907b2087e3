// Where a new layer goes on the canvas, and the room made for it: after the layer it follows, a row
// below (a column to the right when the graph flows right), the layers after it moved on.
import { NODE_HEIGHT, NODE_WIDTH } from '../../../shared/graph/layout'
import type { NetDocument, NetNode } from '../../../shared/graph/schema'

/** Space left between a layer and the next when the ones below move down. */
export const ROW_GAP = 46

export type Sizes = Record<string, { width: number; height: number }>
const sizeOf = (id: string, sizes: Sizes) =>
  (Object.hasOwn(sizes, id) ? sizes[id] : undefined) ?? { width: NODE_WIDTH, height: NODE_HEIGHT }
export const flowsRight = (doc: NetDocument) => doc.layout?.direction === 'right'

/** Where a layer after `node` goes: a row below it, or a column to its right when the graph flows right. */
export function nextTo(doc: NetDocument, node: NetNode, sizes: Sizes): NetNode['position'] {
  const size = sizeOf(node.id, sizes)
  return flowsRight(doc)
    ? { x: node.position.x + size.width + ROW_GAP, y: node.position.y }
    : { x: node.position.x, y: node.position.y + size.height + ROW_GAP }
}

/**
 * The document's layers with `from` and every layer after it moved down (right, when the graph flows
 * right), as far as needed for `added` (a layer just put before `from`) to sit clear of them; the
 * rest stay where they are.
 */
export function makeRoomBelow(doc: NetDocument, from: string[], added: NetNode, sizes: Sizes): NetNode[] {
  if (!from.length) return doc.nodes
  const after = new Set(from)
  for (const id of after)
    for (const e of doc.edges) if (e.source === id && e.target !== added.id) after.add(e.target)
  const axis = flowsRight(doc) ? 'x' : 'y'
  const length = axis === 'x' ? sizeOf(added.id, sizes).width : sizeOf(added.id, sizes).height
  const start = Math.min(...doc.nodes.filter((n) => after.has(n.id)).map((n) => n.position[axis]))
  const shift = added.position[axis] + length + ROW_GAP - start
  if (!(shift > 0)) return doc.nodes
  return doc.nodes.map((n) =>
    after.has(n.id) ? { ...n, position: { ...n.position, [axis]: n.position[axis] + shift } } : n,
  )
}
