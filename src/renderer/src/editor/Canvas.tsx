import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useUpdateNodeInternals,
  useStore,
  type Connection,
  type Edge,
  type NodeChange,
  type EdgeChange,
  type OnDelete,
} from '@xyflow/react'
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react'
import { resolvedParams, type Analysis } from '../../../shared/graph/analyze'
import type { NetNode } from '../../../shared/graph/schema'
import { layerSpec } from '../../../shared/layers'
import { NODE_HEIGHT, NODE_WIDTH } from '../../../shared/graph/layout'
import { layerGist } from '../../../shared/layers/explain'
import { useDoc } from '../store/document'
import { LayerNode, type LayerFlowNode } from './LayerNode'
import { LayoutControls, useRelayout } from './LayoutControls'
import { FoldNode, type FoldFlowNode } from './FoldNode'
import { foldView } from './folds'

/** A node's gist from its layer's settings, defaults filled in as the layer builds with them. */
function gistOf(n: NetNode): string {
  const spec = layerSpec(n.className)
  return spec ? layerGist(n.className, resolvedParams(spec, n.params)) : ''
}

export const LAYER_MIME = 'application/netwright-layer'
const nodeTypes = { layer: LayerNode, fold: FoldNode }

/** An edge's label: the first sentence of its problem (the Problems list has the whole of it). */
const shortLabel = (message: string): string => {
  const first = message.split('. ')[0]!.replace(/\.$/, '')
  return first.length > 52 ? first.slice(0, 50) + '…' : first
}

type Dims = Record<string, { width: number; height: number }>

/** Distance from p to the segment ab. */
function segmentDistance(
  p: { x: number; y: number },
  a: { x: number; y: number },
  b: { x: number; y: number },
): number {
  const dx = b.x - a.x
  const dy = b.y - a.y
  const len = dx * dx + dy * dy || 1
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len))
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy))
}

/** The smallest zoom a newly opened model is shown at: its nodes' text stays readable (about 8 px). */
export const READABLE_ZOOM = 0.7

export function Canvas({ analysis }: { analysis: Analysis }) {
  const doc = useDoc((s) => s.doc)
  const selection = useDoc((s) => s.selection)
  const { screenToFlowPosition, fitView, getNodes, getNodesBounds, setViewport } = useReactFlow()
  const viewSize = { width: useStore((st) => st.width), height: useStore((st) => st.height) }
  const generation = useDoc((s) => s.generation)
  // A newly opened document is fitted into view once its layers have been measured; only then
  // (fitView's identity changes with the nodes, and refitting on every edit would move the canvas).
  // A model too deep to fit at a readable size (ShallowVGGNet's 18 layers) is shown from its top at
  // READABLE_ZOOM instead of as a column of 5-px text; scroll or zoom out to see the rest.
  const fit = () => {
    const b = getNodesBounds(getNodes())
    const zoom = Math.min(1, viewSize.width / (b.width * 1.25), viewSize.height / (b.height * 1.2))
    if (!(zoom < READABLE_ZOOM) || !viewSize.width) return void fitView({ maxZoom: 1, padding: 0.2 })
    // From where the model starts: its top, or its left end when it flows right.
    const right = useDoc.getState().doc.layout?.direction === 'right'
    void setViewport(
      right
        ? {
            x: 24 - b.x * READABLE_ZOOM,
            y: viewSize.height / 2 - (b.y + b.height / 2) * READABLE_ZOOM,
            zoom: READABLE_ZOOM,
          }
        : {
            x: viewSize.width / 2 - (b.x + b.width / 2) * READABLE_ZOOM,
            y: 24 - b.y * READABLE_ZOOM,
            zoom: READABLE_ZOOM,
          },
    )
  }
  const fitRef = useRef(fit)
  fitRef.current = fit
  // The generation whose view has been placed (the canvas says so in data-fitted: tests wait for it
  // before reading where a layer is drawn).
  const [fitted, setFitted] = useState(-1)
  useEffect(() => {
    // An empty new project keeps the view as it is, so the first layers land where they are dropped.
    if (useDoc.getState().doc.nodes.length === 0) return void setFitted(generation)
    const t = setTimeout(() => {
      fitRef.current()
      setFitted(generation)
    }, 50)
    return () => clearTimeout(t)
  }, [generation])
  const [dims, setDims] = useState<Dims>({})
  const dimsRef = useRef(dims)
  dimsRef.current = dims
  // Tidy up and layout changes lay the graph out with the layers as measured, then fit the view.
  useRelayout(dimsRef, () => fitRef.current())
  const direction = doc.layout?.direction ?? 'down'
  const compact = doc.layout?.compact ?? false
  // Repeated blocks folded (a view only; a newly opened project shows each of its blocks folded
  // when folding is on, and opening one leaves the others as they are).
  const [folding, setFolding] = useState(false)
  const [unfolded, setUnfolded] = useState<ReadonlySet<string>>(new Set())
  useEffect(() => setUnfolded(new Set()), [generation])
  const view = useMemo(
    () => foldView(doc, analysis, folding, unfolded, dims),
    [doc, analysis, folding, unfolded, dims],
  )
  // React Flow keeps where each node's handles were; moved to the sides (or back), they are measured
  // again so that connections leave and enter where the handles now are.
  const updateNodeInternals = useUpdateNodeInternals()
  useEffect(() => {
    updateNodeInternals(useDoc.getState().doc.nodes.map((n) => n.id))
  }, [direction, compact, updateNodeInternals])
  const shiftRef = useRef(view.shift)
  shiftRef.current = view.shift
  const refit = () => setTimeout(() => fitRef.current(), 80)

  const nodes: (LayerFlowNode | FoldFlowNode)[] = useMemo(() => {
    const shown: (LayerFlowNode | FoldFlowNode)[] = doc.nodes
      .filter((n) => !view.hidden.has(n.id))
      .map((n) => {
        const info = analysis.nodes[n.id]
        const by = view.shift[n.id]
        return {
          id: n.id,
          type: 'layer' as const,
          position: by ? { x: n.position.x - by.x, y: n.position.y - by.y } : n.position,
          selected: selection.includes(n.id),
          ...(dims[n.id] ? { measured: dims[n.id] } : {}),
          data: {
            name: n.name,
            className: n.className,
            outputShape: info?.outputShape,
            params: info?.params ?? 0,
            errors: info?.errors ?? [],
            sharedWith: n.sharedWith ? doc.nodes.find((o) => o.id === n.sharedWith)?.name : undefined,
            frozen: (n.sharedWith ? doc.nodes.find((o) => o.id === n.sharedWith) : n)?.trainable === false,
            gist: gistOf(n.sharedWith ? (doc.nodes.find((o) => o.id === n.sharedWith) ?? n) : n),
            direction,
            compact,
          },
        }
      })
    for (const b of view.folded) {
      const first = doc.nodes.find((n) => n.id === b.layers[0])!
      const last = analysis.nodes[b.layers.at(-1)!]
      shown.push({
        id: b.id,
        type: 'fold' as const,
        position: first.position,
        draggable: false,
        selectable: false,
        deletable: false,
        // Neither selectable nor draggable, React Flow would let clicks through it: Unfold takes them.
        style: { pointerEvents: 'all' },
        data: {
          unit: b.unit,
          times: b.times,
          layers: b.layers.length,
          params: b.layers.reduce((sum, id) => sum + (analysis.nodes[id]?.params ?? 0), 0),
          outputShape: last?.outputShape,
          direction,
          onUnfold: () => {
            setUnfolded((u) => new Set([...u, b.id]))
            refit()
          },
        },
      })
    }
    return shown
  }, [doc.nodes, analysis, selection, dims, direction, compact, view])

  const edgeErrors = useMemo(() => {
    const m = new Map<string, string>()
    for (const p of analysis.problems) if (p.edgeId) m.set(p.edgeId, p.message)
    return m
  }, [analysis])

  const ids = useMemo(() => new Set(doc.nodes.map((n) => n.id)), [doc.nodes])
  const edges: Edge[] = useMemo(
    () =>
      doc.edges
        .filter((e) => ids.has(e.source) && ids.has(e.target) && view.edge(e.source, e.target))
        .map((e) => {
          const error = edgeErrors.get(e.id)
          const ends = view.edge(e.source, e.target)!
          return {
            id: e.id,
            source: ends.source,
            target: ends.target,
            selected: selection.includes(e.id),
            className: error ? 'edge-error' : undefined,
            label: error ? `⚠ ${shortLabel(error)}` : undefined,
            ariaLabel: error,
            animated: false,
          }
        }),
    [doc.edges, ids, edgeErrors, selection, view],
  )
  // Dotted links between a shared layer and its other uses: they show the sharing, carry no data.
  const links: Edge[] = useMemo(
    () =>
      doc.nodes
        .filter(
          (n) =>
            n.sharedWith && ids.has(n.sharedWith) && !view.hidden.has(n.id) && !view.hidden.has(n.sharedWith),
        )
        .map((n) => ({
          id: `shared-${n.id}`,
          source: n.sharedWith!,
          target: n.id,
          sourceHandle: null,
          className: 'edge-shared',
          selectable: false,
          deletable: false,
          focusable: false,
          type: 'straight',
        })),
    [doc.nodes, ids, view],
  )
  const allEdges = useMemo(() => [...edges, ...links], [edges, links])

  const onNodesChange = useCallback((changes: NodeChange<LayerFlowNode | FoldFlowNode>[]) => {
    const store = useDoc.getState()
    const positions: Record<string, { x: number; y: number }> = {}
    let dragEnded = false
    let selectionChanged = false
    const selected = new Set(store.selection)
    const newDims: Dims = {}
    for (const c of changes) {
      // A fold is the canvas's own: it neither moves nor joins the selection.
      if ('id' in c && c.id.startsWith('fold:')) continue
      if (c.type === 'position') {
        // A layer shown moved up (below a fold) keeps its place in the document.
        const by = shiftRef.current[c.id]
        if (c.position) positions[c.id] = by ? { x: c.position.x + by.x, y: c.position.y + by.y } : c.position
        if (c.dragging === false) dragEnded = true
      } else if (c.type === 'select') {
        selectionChanged = true
        if (c.selected) selected.add(c.id)
        else selected.delete(c.id)
      } else if (c.type === 'dimensions' && c.dimensions) {
        newDims[c.id] = c.dimensions
      }
    }
    if (Object.keys(positions).length) store.dragTo(positions)
    if (dragEnded) store.endDrag()
    if (selectionChanged) store.select([...selected])
    if (Object.keys(newDims).length) setDims((d) => ({ ...d, ...newDims }))
  }, [])

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const store = useDoc.getState()
    const selected = new Set(store.selection)
    let changed = false
    for (const c of changes)
      if (c.type === 'select') {
        changed = true
        if (c.selected) selected.add(c.id)
        else selected.delete(c.id)
      }
    if (changed) store.select([...selected])
  }, [])

  const onConnect = useCallback((c: Connection) => {
    if (c.source && c.target) useDoc.getState().connect(c.source, c.target)
  }, [])

  const onDelete: OnDelete = useCallback(({ nodes: ns, edges: es }) => {
    // React Flow lists the connections of deleted layers too; the store removes those itself (and
    // joins a chain around a removed layer), so pass only connections deleted on their own.
    const gone = new Set(ns.map((n) => n.id))
    const own = es.filter((e) => !gone.has(e.source) && !gone.has(e.target))
    useDoc.getState().remove([...gone, ...own.map((e) => e.id)])
  }, [])

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(LAYER_MIME)) {
      e.preventDefault()
      e.dataTransfer.dropEffect = 'copy'
    }
  }, [])

  const onDrop = useCallback(
    (e: DragEvent) => {
      const className = e.dataTransfer.getData(LAYER_MIME)
      if (!className) return
      e.preventDefault()
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY })
      const { doc: d } = useDoc.getState()
      const at = new Map(d.nodes.map((n) => [n.id, n]))
      const size = (id: string) => dims[id] ?? { width: NODE_WIDTH, height: NODE_HEIGHT }
      // A layer dropped on a connection goes between its two ends.
      let split: string | undefined
      let best = 24
      for (const edge of d.edges) {
        const a = at.get(edge.source)
        const b = at.get(edge.target)
        if (!a || !b) continue
        // From the source's out handle to the target's in handle (bottom to top, or right to left).
        const from =
          direction === 'right'
            ? { x: a.position.x + size(a.id).width, y: a.position.y + size(a.id).height / 2 }
            : { x: a.position.x + size(a.id).width / 2, y: a.position.y + size(a.id).height }
        const to =
          direction === 'right'
            ? { x: b.position.x, y: b.position.y + size(b.id).height / 2 }
            : { x: b.position.x + size(b.id).width / 2, y: b.position.y }
        const dist = segmentDistance(p, from, to)
        if (dist < best) {
          best = dist
          split = edge.id
        }
      }
      useDoc
        .getState()
        .addLayer(className, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 }, split, dims)
    },
    [screenToFlowPosition, dims, direction],
  )

  return (
    <div
      className="canvas"
      data-testid="canvas"
      data-fitted={fitted === generation}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow
        nodes={nodes}
        edges={allEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        deleteKeyCode={['Delete', 'Backspace']}
        proOptions={{ hideAttribution: true }}
        minZoom={0.2}
      >
        <Background gap={16} />
        <Controls />
        <MiniMap pannable zoomable />
        <LayoutControls
          fold={
            view.blocks.length
              ? {
                  on: folding,
                  toggle: (on) => {
                    setFolding(on)
                    setUnfolded(new Set())
                    refit()
                  },
                }
              : undefined
          }
        />
      </ReactFlow>
      {doc.nodes.length === 0 && (
        <div className="canvas-empty">Drag layers here from the palette, starting with an Input.</div>
      )}
    </div>
  )
}
