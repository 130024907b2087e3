import { analyze, resolvedParams, type Analysis } from '../graph/analyze'
import type { NetDocument } from '../graph/schema'
import { layerSpec } from '../layers'

/** A Keras layer config as `model.to_json()` writes it. */
export interface KerasLayer {
  class_name: string
  config: Record<string, unknown>
  name?: string
  inbound_nodes?: unknown[]
}

/** The Keras model config (Keras 2 / TensorFlow.js "layers-model" dialect). */
export interface KerasModelConfig {
  class_name: 'Sequential' | 'Functional'
  config: {
    name: string
    layers: KerasLayer[]
    input_layers?: [string, number, number][]
    output_layers?: [string, number, number][]
  }
  keras_version: string
  backend: 'tensorflow'
}

/** Thrown when a document with problems is asked for its Keras config. */
export class ModelInvalidError extends Error {
  override name = 'ModelInvalidError'
  constructor(readonly problems: Analysis['problems']) {
    super(
      `The model has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n- ` +
        problems.map((p) => p.message).join('\n- '),
    )
  }
}

const modelName = (doc: NetDocument): string =>
  doc.name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'model'

/** Each layer's uses (the node ids that run it), in the order they run: Keras's node_index. */
export function layerUses(doc: NetDocument, analysis: Analysis): Map<string, string[]> {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const uses = new Map<string, string[]>()
  for (const id of analysis.order) {
    const owner = byId.get(id)!.sharedWith ?? id
    const list = uses.get(owner) ?? []
    if (!list.length) uses.set(owner, list)
    list.push(id)
  }
  return uses
}

/**
 * Turns a document into the canonical Keras model config. This one config is what the trainer
 * builds (`tf.models.modelFromJSON`), what export writes and what import reads.
 */
export function toKerasConfig(doc: NetDocument, analysis: Analysis = analyze(doc)): KerasModelConfig {
  if (!analysis.ok) throw new ModelInvalidError(analysis.problems)
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const layer = (id: string): KerasLayer => {
    const n = byId.get(id)!
    const spec = layerSpec(n.className)!
    const p = resolvedParams(spec, n.params)
    const body = spec.kerasConfig ? spec.kerasConfig(p) : { ...p }
    const common = n.className === 'InputLayer' ? {} : { trainable: n.trainable !== false, dtype: 'float32' }
    return { class_name: n.className, config: { name: n.name, ...common, ...body } }
  }
  const meta = { keras_version: '2.15.0', backend: 'tensorflow' as const }
  if (doc.style === 'sequential') {
    return {
      class_name: 'Sequential',
      config: { name: modelName(doc), layers: analysis.order.map(layer) },
      ...meta,
    }
  }
  // A shared layer appears once, with one inbound node per use; references to a use say which
  // (Keras's node_index), in the order the uses run.
  const ownerOf = (id: string) => byId.get(id)!.sharedWith ?? id
  const uses = layerUses(doc, analysis)
  const useIndex = new Map<string, number>()
  for (const list of uses.values()) list.forEach((id, k) => useIndex.set(id, k))
  const ref = (id: string): [string, number, number] => [byId.get(ownerOf(id))!.name, useIndex.get(id)!, 0]
  const incoming = new Map<string, NetDocument['edges']>()
  for (const e of doc.edges) {
    const list = incoming.get(e.target)
    if (list) list.push(e)
    else incoming.set(e.target, [e])
  }
  const inboundOf = (id: string) =>
    [...(incoming.get(id) ?? [])]
      .sort((a, b) => a.targetPort - b.targetPort)
      .map((e) => [...ref(e.source), {}])
  const layers = analysis.order
    .filter((id) => ownerOf(id) === id)
    .map((id) => {
      const l = layer(id)
      const inbound = uses
        .get(id)!
        .map(inboundOf)
        .filter((nodes) => nodes.length)
      return { ...l, name: l.config.name as string, inbound_nodes: inbound }
    })
  return {
    class_name: 'Functional',
    config: {
      name: modelName(doc),
      layers,
      input_layers: analysis.inputs.map(ref),
      output_layers: analysis.outputs.map(ref),
    },
    ...meta,
  }
}
