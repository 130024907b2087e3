import dagre from '@dagrejs/dagre'
import type { NetDocument } from './schema'

export const NODE_WIDTH = 220
export const NODE_HEIGHT = 64

/**
 * Lays the graph out top to bottom, inputs first, with dagre (layered layout: branches side by side,
 * merges below their inputs). Returns a position for every node.
 */
export function autoLayout(
  doc: Pick<NetDocument, 'nodes' | 'edges'>,
  sizes: Record<string, { width: number; height: number }> = {},
): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 46, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  const ids = new Set(doc.nodes.map((n) => n.id))
  for (const n of doc.nodes) {
    const s = sizes[n.id]
    g.setNode(n.id, { width: s?.width ?? NODE_WIDTH, height: s?.height ?? NODE_HEIGHT })
  }
  for (const e of doc.edges) if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target)
  dagre.layout(g)
  const out: Record<string, { x: number; y: number }> = {}
  for (const n of doc.nodes) {
    const p = g.node(n.id)
    // dagre gives centres; the document keeps top-left corners, as React Flow does.
    out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) }
  }
  return out
}
