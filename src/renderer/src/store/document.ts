import { create } from 'zustand'
import { defaultParams, layerSpec, nextLayerName } from '../../../shared/layers'
import { emptyDocument } from '../../../shared/graph/defaults'
import { autoLayout } from '../../../shared/graph/layout'
import { flowsRight, makeRoomBelow, nextTo } from './placement'
import { branchReason, isChain } from '../../../shared/graph/style'
import type { LayoutChoice, NetDocument, NetEdge, NetNode } from '../../../shared/graph/schema'

export { emptyDocument }

const HISTORY_LIMIT = 200

export interface DocState {
  doc: NetDocument
  /** Where the project was last saved or opened from; null for a new one. */
  path: string | null
  /** The document as last saved, to tell whether there are unsaved changes. */
  saved: NetDocument
  past: NetDocument[]
  future: NetDocument[]
  selection: string[]
  /** The document before a drag began; the whole drag becomes one undo step when it ends. */
  dragStart: NetDocument | null
  /** Counts documents loaded (new, open, template), so the canvas can fit the new one into view. */
  generation: number

  load(doc: NetDocument, path: string | null): void
  markSaved(path: string): void
  /** Applies an edit as one undo step. */
  edit(fn: (doc: NetDocument) => NetDocument): void
  /** Moves nodes during a drag (no undo step until `endDrag`). */
  dragTo(positions: Record<string, { x: number; y: number }>): void
  endDrag(): void
  undo(): void
  redo(): void
  select(ids: string[]): void
  /**
   * Adds a layer from the palette at `position`; dropped on a connection (`splitEdge`) it goes between
   * its two ends, and the layers after it move down to make room (`sizes`: the layers as measured).
   */
  addLayer(
    className: string,
    position: { x: number; y: number },
    splitEdge?: string,
    sizes?: Record<string, { width: number; height: number }>,
  ): string
  /** Connects two layers; in a Sequential model a connection that would branch becomes an offer instead. */
  connect(source: string, target: string): void
  /** A connection the user asked for that needs a Functional model, waiting for their answer. */
  offer: { source: string; target: string; reason: string } | null
  /** Converts the model to Functional and makes the offered connection, as one step. */
  acceptOffer(): void
  dismissOffer(): void
  /** Switches Sequential/Functional; returns why not when a branching graph cannot be Sequential. */
  setStyle(style: NetDocument['style']): string | null
  remove(ids: string[]): void
  /**
   * Adds a layer at the end of the model, as Enter or a double-click in the palette does: below the
   * selected layer, or the lowest one with nothing after it, and connected from it. One undo step.
   */
  appendLayer(className: string): string
  selectAll(): void
  /** Adds a second use of a layer (same weights) beside it, selected, ready to connect. */
  reuse(id: string): void
  /** Copies the selected layers (and the connections between them) to the app's clipboard. */
  copy(): number
  /** Pastes the clipboard as new layers, offset so they do not cover the originals; one undo step. */
  paste(): number
  duplicate(): number
  /**
   * Lays the whole graph out again (one undo step; `amend`: part of the step just taken, as after a
   * layout change once the layers have been measured again).
   */
  tidy(sizes?: Record<string, { width: number; height: number }>, amend?: boolean): void
  /** Top to bottom or left to right, full or compact nodes: the graph laid out again that way, one step. */
  setLayout(layout: Partial<LayoutChoice>): void
  /** Tidy up asked for (the toolbar's button): the canvas lays out with the layers as measured. */
  tidyRequest: number
  /**
   * A layout change (setLayout) waits to be laid out again once the layers are measured in their
   * new form; an undo or redo that changes the layout does not (it restores the positions as they were).
   */
  relayoutPending: boolean
  requestTidy(): void
  clipboard: { nodes: NetNode[]; edges: NetEdge[] } | null
}

let counter = 0

function withEdge(doc: NetDocument, source: string, target: string): NetDocument {
  const port = doc.edges.filter((e) => e.target === target).length
  const edge: NetEdge = { id: newId('e'), source, target, targetPort: port }
  return { ...doc, edges: [...doc.edges, edge] }
}
export const newId = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

export const isDirty = (s: Pick<DocState, 'doc' | 'saved'>): boolean =>
  s.doc !== s.saved && JSON.stringify(s.doc) !== JSON.stringify(s.saved)

/** A layer new from the palette: Keras's next free name for its class, its starting params. */
function newNode(id: string, className: string, position: NetNode['position'], doc: NetDocument): NetNode {
  return {
    id,
    className,
    name: nextLayerName(
      className,
      doc.nodes.map((n) => n.name),
    ),
    params: defaultParams(layerSpec(className)!),
    position,
  }
}

/** The ids of `selection` that are layers of `doc` (the same array when all are). */
function present(selection: string[], doc: NetDocument): string[] {
  const kept = selection.filter((id) => doc.nodes.some((n) => n.id === id))
  return kept.length === selection.length ? selection : kept
}

export const useDoc = create<DocState>((set, get) => ({
  doc: emptyDocument(),
  path: null,
  saved: emptyDocument(),
  past: [],
  future: [],
  selection: [],
  dragStart: null,
  generation: 0,

  load: (doc, path) =>
    set((s) => ({
      offer: null,
      doc,
      saved: doc,
      path,
      past: [],
      future: [],
      selection: [],
      dragStart: null,
      generation: s.generation + 1,
    })),
  markSaved: (path) => set((s) => ({ saved: s.doc, path })),
  edit: (fn) =>
    set((s) => {
      const next = fn(s.doc)
      if (next === s.doc) return {}
      return { doc: next, past: [...s.past, s.doc].slice(-HISTORY_LIMIT), future: [] }
    }),
  dragTo: (positions) =>
    set((s) => ({
      dragStart: s.dragStart ?? s.doc,
      doc: {
        ...s.doc,
        nodes: s.doc.nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id]! } : n)),
      },
    })),
  endDrag: () =>
    set((s) =>
      s.dragStart && s.dragStart !== s.doc
        ? { past: [...s.past, s.dragStart].slice(-HISTORY_LIMIT), future: [], dragStart: null }
        : { dragStart: null },
    ),
  undo: () =>
    set((s) => {
      const prev = s.past.at(-1)
      if (!prev) return {}
      // A layer the undo takes away (a paste undone) leaves the selection too.
      return {
        doc: prev,
        past: s.past.slice(0, -1),
        future: [s.doc, ...s.future],
        selection: present(s.selection, prev),
        // A layout change undone before the canvas measured it again is not laid out any more.
        relayoutPending: false,
      }
    }),
  redo: () =>
    set((s) => {
      const next = s.future[0]
      if (!next) return {}
      return {
        doc: next,
        past: [...s.past, s.doc],
        future: s.future.slice(1),
        selection: present(s.selection, next),
        relayoutPending: false,
      }
    }),
  select: (ids) => set({ selection: ids }),
  addLayer: (className, position, splitEdge, sizes = {}) => {
    const id = newId(className === 'InputLayer' ? 'input' : className.toLowerCase())
    get().edit((doc) => {
      let edges = doc.edges
      let nodes = doc.nodes
      const split = splitEdge ? edges.find((e) => e.id === splitEdge) : undefined
      const source = split && doc.nodes.find((n) => n.id === split.source)
      // Between two layers it lines up after the first, a row below it (a column right of it).
      const at = source ? nextTo(doc, source, sizes) : position
      const node = newNode(id, className, at, doc)
      if (split) {
        // Dropped on a connection: insert the layer between its two ends.
        edges = [
          ...edges.filter((e) => e.id !== split.id),
          { id: newId('e'), source: split.source, target: id, targetPort: 0 },
          { id: newId('e'), source: id, target: split.target, targetPort: split.targetPort },
        ]
        nodes = makeRoomBelow(doc, [split.target], node, sizes)
      }
      return { ...doc, nodes: [...nodes, node], edges }
    })
    set({ selection: [id] })
    return id
  },
  connect: (source, target) => {
    const { doc } = get()
    if (doc.edges.some((e) => e.source === source && e.target === target)) return
    const reason = doc.style === 'sequential' ? branchReason(doc, source, target) : null
    if (reason) set({ offer: { source, target, reason } })
    else get().edit((d) => withEdge(d, source, target))
  },
  offer: null,
  acceptOffer: () => {
    const offer = get().offer
    if (!offer) return
    get().edit((d) => withEdge({ ...d, style: 'functional' }, offer.source, offer.target))
    set({ offer: null })
  },
  dismissOffer: () => set({ offer: null }),
  setStyle: (style) => {
    const { doc } = get()
    if (style === doc.style) return null
    if (style === 'sequential' && !isChain(doc))
      return 'This model branches or merges, so it can only be Functional. Make it a single chain first.'
    get().edit((d) => ({ ...d, style }))
    return null
  },
  clipboard: null,
  reuse: (ownerId) => {
    const owner = get().doc.nodes.find((n) => n.id === ownerId)
    if (!owner || owner.sharedWith !== undefined) return
    const id = newId(owner.className.toLowerCase())
    get().edit((doc) => {
      const names = new Set(doc.nodes.map((n) => n.name))
      let k = 2
      while (names.has(`${owner.name}_use${k}`)) k++
      const node: NetNode = {
        id,
        className: owner.className,
        name: `${owner.name}_use${k}`,
        params: {},
        position: { x: owner.position.x - 260, y: owner.position.y },
        sharedWith: owner.id,
      }
      return { ...doc, nodes: [...doc.nodes, node] }
    })
    set({ selection: [id] })
  },
  appendLayer: (className) => {
    const { doc, selection } = get()
    const spec = layerSpec(className)!
    const ends = doc.nodes.filter((n) => !doc.edges.some((e) => e.source === n.id))
    const axis = flowsRight(doc) ? 'x' : 'y'
    const lowest = (ns: NetNode[]) =>
      ns.reduce<NetNode | undefined>((a, n) => (!a || n.position[axis] > a.position[axis] ? n : a), undefined)
    const picked = selection.length === 1 ? doc.nodes.find((n) => n.id === selection[0]) : undefined
    const from = spec.inputs === 'none' ? undefined : (picked ?? lowest(ends))
    const bottom = lowest(doc.nodes)
    const position = from ? nextTo(doc, from, {}) : bottom ? nextTo(doc, bottom, {}) : { x: 0, y: 0 }
    const id = newId(className === 'InputLayer' ? 'input' : className.toLowerCase())
    get().edit((d) => {
      const node = newNode(id, className, position, d)
      // What came after the selected layer now comes after the new one (added in between).
      const after = from ? d.edges.filter((e) => e.source === from.id) : []
      const edges = from
        ? [
            ...d.edges.filter((e) => !after.includes(e)),
            { id: newId('e'), source: from.id, target: id, targetPort: 0 },
            ...after.map((e) => ({ ...e, id: newId('e'), source: id })),
          ]
        : d.edges
      // The layers after the insertion point move down (right) to make room.
      const nodes = makeRoomBelow(
        d,
        after.map((e) => e.target),
        node,
        {},
      )
      return { ...d, nodes: [...nodes, node], edges }
    })
    set({ selection: [id] })
    return id
  },
  selectAll: () => set((s) => ({ selection: s.doc.nodes.map((n) => n.id) })),
  copy: () => {
    const { doc, selection } = get()
    const picked = new Set(selection)
    const nodes = doc.nodes.filter((n) => picked.has(n.id))
    if (!nodes.length) return 0
    const edges = doc.edges.filter((e) => picked.has(e.source) && picked.has(e.target))
    set({ clipboard: structuredClone({ nodes, edges }) })
    return nodes.length
  },
  paste: () => {
    const clip = get().clipboard
    if (!clip?.nodes.length) return 0
    const ids = new Map(
      clip.nodes.map((n) => [
        n.id,
        newId(n.className === 'InputLayer' ? 'input' : n.className.toLowerCase()),
      ]),
    )
    get().edit((doc) => {
      const names = doc.nodes.map((n) => n.name)
      const nodes = clip.nodes.map((n) => {
        const name = nextLayerName(n.className, names)
        names.push(name)
        // A pasted reuse follows its owner when the owner was pasted too.
        const sharedWith = n.sharedWith === undefined ? undefined : (ids.get(n.sharedWith) ?? n.sharedWith)
        return {
          ...structuredClone(n),
          id: ids.get(n.id)!,
          name,
          position: { x: n.position.x + 40, y: n.position.y + 40 },
          ...(sharedWith ? { sharedWith } : {}),
        }
      })
      const edges = clip.edges.map((e) => ({
        ...e,
        id: newId('e'),
        source: ids.get(e.source)!,
        target: ids.get(e.target)!,
      }))
      return { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }
    })
    // A second paste lands further along, not on top of the first.
    set(() => ({
      selection: [...ids.values()],
      clipboard: {
        nodes: clip.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } })),
        edges: clip.edges,
      },
    }))
    return ids.size
  },
  duplicate: () => {
    const saved = get().clipboard
    const n = get().copy() && get().paste()
    set({ clipboard: saved })
    return n
  },
  tidy: (sizes, amend) => {
    const laidOut = (doc: NetDocument) => {
      if (!doc.nodes.length) return doc
      const at = autoLayout(doc, sizes)
      return { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: at[n.id] ?? n.position })) }
    }
    if (amend) set((s) => ({ doc: laidOut(s.doc) }))
    else get().edit(laidOut)
  },
  relayoutPending: false,
  setLayout: (layout) => {
    const before = get().doc
    get().edit((doc) => {
      const next = {
        ...doc,
        layout: { direction: 'down' as const, compact: false, ...doc.layout, ...layout },
      }
      if (next.layout.direction === doc.layout?.direction && next.layout.compact === doc.layout?.compact)
        return doc
      const at = autoLayout(next)
      return { ...next, nodes: next.nodes.map((n) => ({ ...n, position: at[n.id] ?? n.position })) }
    })
    if (get().doc !== before) set({ relayoutPending: true })
  },
  tidyRequest: 0,
  requestTidy: () => set((s) => ({ tidyRequest: s.tidyRequest + 1 })),
  remove: (ids) => {
    // Removing a layer removes its other uses too: they have no weights of their own.
    const gone = new Set(ids)
    for (const n of get().doc.nodes) if (n.sharedWith !== undefined && gone.has(n.sharedWith)) gone.add(n.id)
    get().edit((doc) => {
      const nodes = doc.nodes.filter((n) => !gone.has(n.id))
      const edges = doc.edges.filter((e) => !gone.has(e.id) && !gone.has(e.source) && !gone.has(e.target))
      // A layer taken out of the middle of a chain (one input in) leaves the chain joined: its input
      // goes on to the layers it fed, as when a layer is dropped onto a connection, in reverse.
      for (const id of gone) {
        if (!doc.nodes.some((n) => n.id === id)) continue
        const ins = doc.edges.filter((e) => e.target === id && !gone.has(e.id))
        if (ins.length !== 1 || gone.has(ins[0]!.source)) continue
        for (const out of doc.edges.filter((e) => e.source === id && !gone.has(e.id) && !gone.has(e.target)))
          edges.push({ ...out, id: `${out.id}_joined`, source: ins[0]!.source })
      }
      if (nodes.length === doc.nodes.length && edges.length === doc.edges.length) return doc
      return { ...doc, nodes, edges }
    })
    set((s) => ({ selection: s.selection.filter((id) => !gone.has(id)) }))
  },
}))
