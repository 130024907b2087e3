import {
  checkParam,
  layerSpec,
  ShapeError,
  shapeText,
  type LayerSpec,
  type Params,
  type Shape,
} from '../layers'
import type { NetDocument, NetEdge } from './schema'

/** The layers that take an Embedding's mask (mask_zero) in TensorFlow.js as in Keras. */
const MASK_READERS = new Set(['LSTM', 'GRU', 'SimpleRNN', 'Bidirectional'])

export interface Problem {
  message: string
  nodeId?: string
  edgeId?: string
}

export interface NodeInfo {
  outputShape?: Shape
  /** For a second use of a shared layer: the node that owns the layer and its weights. */
  sharedWith?: string
  /** 'int32' for an Input of word indices, else 'float32'. */
  dtype?: string
  params: number
  /** The part of params that training changes (0 for a frozen layer). */
  trainableParams?: number
  /** Problems on this node, in words a learner understands. */
  errors: string[]
}

export interface Analysis {
  /** Every problem, each pointing at the node or edge at fault when there is one. */
  problems: Problem[]
  nodes: Record<string, NodeInfo>
  /** Node ids in an order where every layer comes after its inputs (nodes in a cycle are left out). */
  order: string[]
  inputs: string[]
  outputs: string[]
  totalParams: number
  trainableParams: number
  nonTrainableParams: number
  ok: boolean
}

/** Each layer's incoming connections, by target id, in port order (one pass over the edges). */
export function incomingEdges(doc: Pick<NetDocument, 'edges'>): Map<string, NetEdge[]> {
  const m = new Map<string, NetEdge[]>()
  for (const e of doc.edges) {
    const list = m.get(e.target)
    if (list) list.push(e)
    else m.set(e.target, [e])
  }
  for (const list of m.values()) list.sort((a, b) => a.targetPort - b.targetPort)
  return m
}

/** A node's params with defaults filled in for anything missing. */
export function resolvedParams(spec: LayerSpec, params: Record<string, unknown>): Params {
  const out: Params = {}
  for (const [k, p] of Object.entries(spec.params)) out[k] = (params[k] ?? p.default) as Params[string]
  return out
}

/**
 * Finds the edges that close a cycle, by depth-first search over the graph. Iterative (an explicit
 * stack of where each layer's walk stands), so a chain of any length cannot overflow the call stack.
 */
function cycleEdges(nodeIds: string[], edges: NetEdge[]): Set<string> {
  const out = new Map<string, NetEdge[]>()
  for (const e of edges) {
    const list = out.get(e.source)
    if (list) list.push(e)
    else out.set(e.source, [e])
  }
  const state = new Map<string, 1 | 2>()
  const back = new Set<string>()
  for (const root of nodeIds) {
    if (state.has(root)) continue
    state.set(root, 1)
    const stack: [string, number][] = [[root, 0]]
    while (stack.length) {
      const top = stack[stack.length - 1]!
      const next = out.get(top[0])?.[top[1]++]
      if (!next) {
        state.set(top[0], 2)
        stack.pop()
        continue
      }
      const s = state.get(next.target)
      if (s === 1) back.add(next.id)
      else if (s === undefined) {
        state.set(next.target, 1)
        stack.push([next.target, 0])
      }
    }
  }
  return back
}

/**
 * Validates a document's graph and infers every tensor shape and parameter count.
 * Pure and fast: the editor runs it on every change.
 */
export function analyze(doc: NetDocument): Analysis {
  const problems: Problem[] = []
  // Keyed by the document's ids, which are any strings: no prototype, so "__proto__" is just a key.
  const nodes: Record<string, NodeInfo> = Object.create(null) as Record<string, NodeInfo>
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const nodeError = (nodeId: string, message: string): void => {
    nodes[nodeId]?.errors.push(message)
    problems.push({ nodeId, message })
  }
  for (const n of doc.nodes) nodes[n.id] = { params: 0, errors: [] }

  const seenIds = new Set<string>()
  const names = new Map<string, string>()
  for (const n of doc.nodes) {
    if (seenIds.has(n.id))
      problems.push({ message: `Two layers share the id "${n.id}"; ids must be unique.` })
    seenIds.add(n.id)
    const other = names.get(n.name)
    if (other !== undefined)
      nodeError(n.id, `The name "${n.name}" is already used by another layer; names must be unique.`)
    else names.set(n.name, n.id)
  }

  // Edges: drop the ones that cannot be drawn, and say why.
  let edges: NetEdge[] = []
  const pairs = new Set<string>()
  for (const e of doc.edges) {
    const missing = [e.source, e.target].filter((id) => !byId.has(id))
    if (missing.length) {
      problems.push({
        edgeId: e.id,
        message: `Connection "${e.id}" points to a layer that does not exist (${missing.join(', ')}).`,
      })
      continue
    }
    if (e.source === e.target) {
      problems.push({ edgeId: e.id, message: 'A layer cannot be connected to itself.' })
      continue
    }
    if (pairs.has(`${e.source}>${e.target}`)) {
      problems.push({ edgeId: e.id, message: 'These two layers are already connected.' })
      continue
    }
    pairs.add(`${e.source}>${e.target}`)
    edges.push(e)
  }
  // An edge that closes a loop is reported and left out, so the rest of the model still gets its shapes.
  const back = cycleEdges(
    doc.nodes.map((n) => n.id),
    edges,
  )
  const edgeById = new Map(edges.map((e) => [e.id, e]))
  for (const id of back) {
    const e = edgeById.get(id)!
    const a = byId.get(e.source)!.name
    const b = byId.get(e.target)!.name
    problems.push({
      edgeId: id,
      message: `This connection closes a loop (${a} → ${b}). Data must flow one way, from the inputs to the outputs.`,
    })
  }
  edges = edges.filter((e) => !back.has(e.id))

  const incoming = new Map<string, NetEdge[]>()
  const outgoing = new Map<string, NetEdge[]>()
  const push = (m: Map<string, NetEdge[]>, k: string, e: NetEdge) => {
    const list = m.get(k)
    if (list) list.push(e)
    else m.set(k, [e])
  }
  for (const e of edges) {
    push(incoming, e.target, e)
    push(outgoing, e.source, e)
  }
  for (const list of incoming.values()) list.sort((a, b) => a.targetPort - b.targetPort)

  // Per-node checks: known layer, parameter values, number of inputs.
  const specs = new Map<string, { spec: LayerSpec; params: Params }>()
  for (const n of doc.nodes) {
    // A second use of a shared layer takes the layer (class and settings) of the node that owns it.
    const owner = n.sharedWith === undefined ? n : byId.get(n.sharedWith)
    if (n.sharedWith !== undefined) {
      const problem = !owner
        ? `This layer reuses "${n.sharedWith}", which is not in the model.`
        : owner.sharedWith !== undefined
          ? `A shared layer must point at the layer that owns the weights (${owner.name} is itself a reuse).`
          : owner.className === 'InputLayer'
            ? 'An Input layer cannot be shared.'
            : doc.style === 'sequential'
              ? 'A Sequential model cannot reuse a layer; switch the model to Functional.'
              : null
      if (problem) {
        nodeError(n.id, problem)
        continue
      }
      nodes[n.id]!.sharedWith = owner!.id
    }
    const spec = layerSpec(owner!.className)
    if (!spec) {
      nodeError(
        n.id,
        `Unknown layer type "${n.className}". Netwright does not know this layer, so it cannot be built.`,
      )
      continue
    }
    let paramsOk = true
    for (const [k, p] of Object.entries(spec.params)) {
      const message = checkParam(k, p, owner!.params[k] ?? p.default)
      if (message) {
        if (owner === n) nodeError(n.id, message)
        paramsOk = false
      }
    }
    const ins = incoming.get(n.id) ?? []
    const label = spec.className === 'InputLayer' ? 'Input' : spec.className
    if (spec.inputs === 'none' && ins.length)
      for (const e of ins)
        problems.push({
          edgeId: e.id,
          message: 'An Input layer is where data enters; nothing can connect into it.',
        })
    if (spec.inputs === 'one' && ins.length === 0)
      nodeError(n.id, `${label} has no input. Connect the layer before it to its top handle.`)
    if (spec.inputs === 'one' && ins.length > 1)
      nodeError(
        n.id,
        `${label} takes one input, but ${ins.length} layers are connected to it. Remove one connection` +
          (doc.style === 'functional' ? ', or merge them first (Add, Concatenate).' : '.'),
      )
    if (spec.inputs === 'many' && ins.length < 2)
      nodeError(n.id, `${label} merges two or more inputs; connect at least two.`)
    if (paramsOk) specs.set(n.id, { spec, params: resolvedParams(spec, owner!.params) })
  }

  const inputs = doc.nodes.filter((n) => n.className === 'InputLayer').map((n) => n.id)
  const outputs = doc.nodes
    .filter((n) => n.className !== 'InputLayer' && !outgoing.get(n.id)?.length)
    .map((n) => n.id)
  if (doc.nodes.length === 0)
    problems.push({ message: 'The model is empty. Drag an Input layer from the palette to start.' })
  else if (inputs.length === 0)
    problems.push({ message: 'The model has no Input layer. Add one: it says what shape the data has.' })
  else if (outputs.length === 0)
    problems.push({ message: 'The model has no output: add a layer after the Input.' })

  if (doc.style === 'sequential') {
    if (inputs.length > 1)
      for (const id of inputs.slice(1))
        nodeError(
          id,
          'A Sequential model has exactly one Input. Remove this one, or switch the model to Functional.',
        )
    for (const [id, outs] of outgoing)
      if (outs.length > 1)
        nodeError(
          id,
          'A Sequential model is a single chain, but this layer feeds several layers. Switch the model to Functional to branch.',
        )
    if (outputs.length > 1)
      for (const id of outputs.slice(1))
        nodeError(
          id,
          'A Sequential model has one output, but this layer leads nowhere. Connect it into the chain or delete it.',
        )
  }

  // Shapes and parameter counts, in topological order (Kahn's algorithm).
  const indeg = new Map(doc.nodes.map((n) => [n.id, (incoming.get(n.id) ?? []).length]))
  const queue = doc.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id)
  const order: string[] = []
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!
    order.push(id)
    for (const e of outgoing.get(id) ?? []) {
      indeg.set(e.target, indeg.get(e.target)! - 1)
      if (indeg.get(e.target) === 0) queue.push(e.target)
    }
  }
  let total = 0
  let nonTrainable = 0
  for (const id of order) {
    const entry = specs.get(id)
    const info = nodes[id]!
    if (!entry || info.errors.length) continue
    const ins = (incoming.get(id) ?? []).map((e) => nodes[e.source]?.outputShape)
    if (ins.some((s) => s === undefined)) continue
    const inShapes = ins as Shape[]
    const dtypes = (incoming.get(id) ?? []).map((e) => nodes[e.source]?.dtype ?? 'float32')
    try {
      info.outputShape = entry.spec.outputShape(inShapes, entry.params, dtypes)
      info.dtype =
        entry.spec.className === 'InputLayer'
          ? ((entry.params.dtype as string | undefined) ?? 'float32')
          : 'float32'
      info.params = entry.spec.paramCount(inShapes, entry.params)
      // A frozen layer's weights are all kept (a shared use follows its owner).
      const frozen = byId.get(info.sharedWith ?? id)?.trainable === false
      const fixed = frozen ? info.params : (entry.spec.nonTrainableCount?.(inShapes, entry.params) ?? 0)
      info.trainableParams = info.params - fixed
      // A reuse's weights are the owner's: counted once.
      if (info.sharedWith) continue
      total += info.params
      nonTrainable += fixed
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e
      nodeError(id, e.message)
    }
  }

  // An Embedding's mask (mask_zero) is kept only where TensorFlow.js uses it as Keras does: in the
  // recurrent layer that reads it. Elsewhere (pooling, say) Keras would use it and tfjs would not.
  for (const n of doc.nodes) {
    if (n.className !== 'Embedding' || n.params.mask_zero !== true) continue
    const readers = (outgoing.get(n.id) ?? []).map((e) => byId.get(e.target)).filter((t) => !!t)
    const other = readers.find((t) => !MASK_READERS.has(t!.className))
    if (other)
      nodeError(
        n.id,
        `mask_zero is kept only when a recurrent layer (LSTM, GRU, SimpleRNN, Bidirectional) reads the Embedding; ${other.name} (${other.className}) would ignore the mask where Keras uses it. Connect a recurrent layer, or turn mask_zero off.`,
      )
  }

  // Every use of a shared layer must fit the same weights: the same input shapes as its owner's.
  const inputShapes = (id: string) => (incoming.get(id) ?? []).map((e) => nodes[e.source]?.outputShape)
  for (const [id, info] of Object.entries(nodes)) {
    if (!info.sharedWith || !info.outputShape) continue
    const mine = inputShapes(id)
    const theirs = inputShapes(info.sharedWith)
    if (theirs.some((t) => !t)) continue
    const key = (l: (Shape | undefined)[]) => JSON.stringify(l.map((x) => x!.slice(1)))
    if (key(mine) !== key(theirs)) {
      const owner = byId.get(info.sharedWith)!.name
      nodeError(
        id,
        `A shared layer must get inputs of the same shape at every use: here ${mine.map((x) => shapeText(x!)).join(', ')}, at ${owner} ${theirs.map((x) => shapeText(x!)).join(', ')}.`,
      )
    }
  }

  return {
    problems,
    nodes,
    order,
    inputs,
    outputs,
    totalParams: total,
    trainableParams: total - nonTrainable,
    nonTrainableParams: nonTrainable,
    ok: problems.length === 0,
  }
}
