import dagre from '@dagrejs/dagre'
import type { NetDocument } from './schema'

export const NODE_WIDTH = 220
export const NODE_HEIGHT = 64
/** Between layers side by side, and between rows; tighter in the compact layout. */
const SPACING = { full: { node: 40, rank: 46 }, compact: { node: 16, rank: 22 } }

/**
 * Above this many layers dagre is too slow for an editor (a second at 1,000) and its recursion
 * overflows the stack (at about 3,000), so a simpler layered layout takes over.
 */
export const DAGRE_MAX_NODES = 400

type Sizes = Record<string, { width: number; height: number }>
type Positions = Record<string, { x: number; y: number }>

/**
 * Lays the graph out top to bottom, inputs first, with dagre (layered layout: branches side by side,
 * merges below their inputs). Returns a position for every node. Ids are the document's own strings,
 * so dagre sees index keys instead (an id such as "toString" or "__proto__" broke it).
 */
export function autoLayout(
  doc: Pick<NetDocument, 'nodes' | 'edges' | 'layout'>,
  sizes: Sizes = {},
): Positions {
  const right = doc.layout?.direction === 'right'
  const gap = doc.layout?.compact ? SPACING.compact : SPACING.full
  const index = new Map<string, number>()
  doc.nodes.forEach((n, i) => {
    if (!index.has(n.id)) index.set(n.id, i)
  })
  const edges = doc.edges
    .map((e) => [index.get(e.source), index.get(e.target)] as const)
    .filter((p): p is readonly [number, number] => p[0] !== undefined && p[1] !== undefined && p[0] !== p[1])
  const size = (i: number) => {
    const s = Object.hasOwn(sizes, doc.nodes[i]!.id) ? sizes[doc.nodes[i]!.id] : undefined
    return { width: s?.width ?? NODE_WIDTH, height: s?.height ?? NODE_HEIGHT }
  }
  // Left to right is top to bottom with the axes swapped (the layered layout's rows become columns).
  const turned = (i: number) => {
    const s = size(i)
    return right ? { width: s.height, height: s.width } : s
  }
  const centres = (
    doc.nodes.length > DAGRE_MAX_NODES
      ? layered(doc.nodes.length, edges, turned, gap)
      : viaDagre(doc.nodes.length, edges, turned, gap)
  ).map((p) => (right ? { x: p.y, y: p.x } : p))
  const out: Positions = Object.create(null) as Positions
  doc.nodes.forEach((n, i) => {
    const p = centres[index.get(n.id)!]!
    const s = size(i)
    // Centres become top-left corners, as React Flow and the document keep them.
    out[n.id] = { x: Math.round(p.x - s.width / 2), y: Math.round(p.y - s.height / 2) }
  })
  return out
}

type Size = (i: number) => { width: number; height: number }

type Gap = { node: number; rank: number }

function viaDagre(
  n: number,
  edges: readonly (readonly [number, number])[],
  size: Size,
  gap: Gap,
): { x: number; y: number }[] {
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'TB', nodesep: gap.node, ranksep: gap.rank, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  for (let i = 0; i < n; i++) g.setNode(`n${i}`, size(i))
  for (const [s, t] of edges) g.setEdge(`n${s}`, `n${t}`)
  dagre.layout(g)
  return Array.from({ length: n }, (_, i) => {
    const p = g.node(`n${i}`)
    return { x: p.x, y: p.y }
  })
}

/**
 * A plain layered layout for large graphs, in linear time and without recursion: each layer's row is
 * the longest path from an input to it (layers in a loop go last), and within a row layers are
 * ordered by where their inputs sit, then centred.
 */
function layered(
  n: number,
  edges: readonly (readonly [number, number])[],
  size: Size,
  gap: Gap,
): { x: number; y: number }[] {
  const outs: number[][] = Array.from({ length: n }, () => [])
  const ins: number[][] = Array.from({ length: n }, () => [])
  const indeg = new Array<number>(n).fill(0)
  for (const [s, t] of edges) {
    outs[s]!.push(t)
    ins[t]!.push(s)
    indeg[t]!++
  }
  const rank = new Array<number>(n).fill(0)
  const queue: number[] = []
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i)
  const done = new Array<boolean>(n).fill(false)
  for (let h = 0; h < queue.length; h++) {
    const i = queue[h]!
    done[i] = true
    for (const t of outs[i]!) {
      rank[t] = Math.max(rank[t]!, rank[i]! + 1)
      if (--indeg[t]! === 0) queue.push(t)
    }
  }
  let maxRank = 0
  for (let i = 0; i < n; i++) if (done[i]) maxRank = Math.max(maxRank, rank[i]!)
  for (let i = 0; i < n; i++) if (!done[i]) rank[i] = ++maxRank
  const rows: number[][] = Array.from({ length: maxRank + 1 }, () => [])
  for (let i = 0; i < n; i++) rows[rank[i]!]!.push(i)
  const x = new Array<number>(n).fill(0)
  const out: { x: number; y: number }[] = new Array(n)
  let y = 0
  for (const row of rows) {
    const key = (i: number) => (ins[i]!.length ? ins[i]!.reduce((a, s) => a + x[s]!, 0) / ins[i]!.length : i)
    row.sort((a, b) => key(a) - key(b))
    const widths = row.map((i) => size(i).width)
    const total = widths.reduce((a, w) => a + w, 0) + gap.node * Math.max(row.length - 1, 0)
    let left = -total / 2
    let tallest = 0
    row.forEach((i, k) => {
      x[i] = left + widths[k]! / 2
      left += widths[k]! + gap.node
      tallest = Math.max(tallest, size(i).height)
    })
    for (const i of row) out[i] = { x: x[i]!, y: y + tallest / 2 }
    y += tallest + gap.rank
  }
  return out
}
