// Folding a chain's repeated blocks on the canvas (a view: the document keeps every layer and its
// position). A folded block shows as one node where its first layer was; the layers after it are
// shown moved up by the room the block gave back, and moved back by as much when dragged.
import type { Analysis } from '../../../shared/graph/analyze'
import { NODE_HEIGHT, NODE_WIDTH } from '../../../shared/graph/layout'
import { repeatedBlocks, type RepeatedBlock } from '../../../shared/graph/repeats'
import type { NetDocument } from '../../../shared/graph/schema'
import { isChain } from '../../../shared/graph/style'
import type { Shape } from '../../../shared/layers'
import { ROW_GAP } from '../store/placement'

export interface FoldNodeData extends Record<string, unknown> {
  unit: string[]
  times: number
  layers: number
  params: number
  outputShape?: Shape
  direction: 'down' | 'right'
  onUnfold: () => void
}

export interface FoldView {
  /** The blocks that could fold (a chain's repeats), folded or not. */
  blocks: RepeatedBlock[]
  /** The blocks shown folded. */
  folded: RepeatedBlock[]
  /** Layers not shown (inside a folded block). */
  hidden: Set<string>
  /** How far each shown layer is moved from its place in the document (shown = document − shift). */
  shift: Record<string, { x: number; y: number }>
  /** A connection as shown: its ends replaced by the folds that hide them; null inside a fold. */
  edge(source: string, target: string): { source: string; target: string } | null
}

const NONE: FoldView = {
  blocks: [],
  folded: [],
  hidden: new Set(),
  shift: {},
  edge: (source, target) => ({ source, target }),
}

/** The fold view of `doc` with the blocks in `unfolded` left open (all open when `on` is false). */
export function foldView(
  doc: NetDocument,
  analysis: Analysis,
  on: boolean,
  unfolded: ReadonlySet<string>,
  sizes: Record<string, { width: number; height: number }>,
): FoldView {
  if (!isChain(doc)) return NONE
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const order = analysis.order.map((id) => byId.get(id)).filter((n) => n !== undefined)
  const blocks = repeatedBlocks(order)
  const folded = on ? blocks.filter((b) => !unfolded.has(b.id)) : []
  if (!folded.length) return { ...NONE, blocks }
  const right = doc.layout?.direction === 'right'
  const axis = right ? 'x' : 'y'
  const hidden = new Set<string>()
  const foldOf = new Map<string, string>()
  const shift: FoldView['shift'] = {}
  let moved = 0
  let f = 0
  for (let i = 0; i < order.length; i++) {
    const n = order[i]!
    const block = folded[f]
    if (block && n.id === block.layers[0]) {
      // The block's room: from its first layer to the layer after it, less one row for the fold.
      const after = order[i + block.layers.length]
      if (after) {
        const room = after.position[axis] - n.position[axis]
        const own = right ? (sizes[n.id]?.width ?? NODE_WIDTH) : NODE_HEIGHT + 10
        moved += Math.max(0, room - own - ROW_GAP)
      }
      for (const id of block.layers) {
        hidden.add(id)
        foldOf.set(id, block.id)
      }
      i += block.layers.length - 1
      f++
      continue
    }
    if (moved) shift[n.id] = right ? { x: moved, y: 0 } : { x: 0, y: moved }
  }
  const firstOf = new Map(folded.map((b) => [b.layers[0]!, b.id]))
  const lastOf = new Map(folded.map((b) => [b.layers.at(-1)!, b.id]))
  return {
    blocks,
    folded,
    hidden,
    shift,
    edge(source, target) {
      if (foldOf.has(source) && foldOf.get(source) === foldOf.get(target)) return null
      return { source: lastOf.get(source) ?? source, target: firstOf.get(target) ?? target }
    },
  }
}
