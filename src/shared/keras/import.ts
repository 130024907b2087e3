import { emptyDocument } from '../graph/defaults'
import { autoLayout } from '../graph/layout'
import { DocumentError, parseDocument } from '../graph/load'
import { LOSSES, OPTIMIZERS, type NetDocument, type NetEdge, type NetNode } from '../graph/schema'
import { z } from 'zod'
import { FILE_BOUNDS, jsonOutOfBounds, showValue } from '../json-limits'
import { MAX_LAYERS } from '../graph/load'
import { kerasSnakeCase, layerSpec } from '../layers'
import { paramsFrom } from './import-params'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A reference to a layer's output in Keras 2's inbound_nodes: [name, node_index, tensor_index, kwargs]. */
const RefSchema = z.union([
  z.tuple([z.string().min(1), z.number().int().min(0).max(1_000_000)]).rest(z.unknown()),
  z.tuple([z.string().min(1)]),
  z.object({ name: z.string().min(1) }).loose(),
])
/** One call of a layer: Keras 2's list of references, or Keras 3's {args, kwargs} with keras tensors. */
const InboundNodeSchema = z.union([z.array(RefSchema), z.object({}).loose()])
const LayerSchema = z
  .object({
    class_name: z.string().min(1).max(200),
    config: z.record(z.string(), z.unknown()).optional(),
    name: z.string().min(1).max(500).optional(),
    inbound_nodes: z.array(InboundNodeSchema).max(10_000).optional(),
  })
  .loose()
const LayersSchema = z.array(LayerSchema)
const ModelBodySchema = z
  .object({ layers: LayersSchema, output_layers: z.array(z.unknown()).optional() })
  .loose()

const EXPECTED: Record<string, string> = {
  record: 'an object',
  object: 'an object',
  array: 'a list',
  int: 'a whole number',
}

/** "layers.3.inbound_nodes.0 is not in any form Keras writes", for a file that is not what Keras writes. */
function firstIssue(e: z.ZodError): string {
  const i = e.issues[0]!
  const where = i.path.length ? i.path.map(String).join('.') : 'the list of layers'
  const what =
    i.code === 'invalid_union'
      ? 'is not in any form Keras writes'
      : i.code === 'invalid_type'
        ? `should be ${EXPECTED[i.expected] ?? `a ${i.expected}`}`
        : i.message
  return `${where} ${what}`
}

export interface Imported {
  document: NetDocument
  /** What could not be carried over exactly, one line each. */
  warnings: string[]
}

/** Finds the Keras model config inside what `model.to_json()` or TensorFlow.js's model.json hold. */
function modelConfig(raw: Json): Json | null {
  const topo = isObj(raw.modelTopology) ? raw.modelTopology : raw
  const cfg = isObj(topo.model_config) ? topo.model_config : topo
  return typeof cfg.class_name === 'string' && 'config' in cfg ? cfg : null
}

/** Keras's snake_case optimizer and loss names, from a training_config (Keras or tfjs spelling). */
function compileFrom(raw: Json): Partial<NetDocument['compile']> {
  const topo = isObj(raw.modelTopology) ? raw.modelTopology : raw
  // Keras 2 and TensorFlow.js write training_config; Keras 3 writes compile_config (its optimizer
  // under "optimizer").
  const tc = [topo.training_config, raw.training_config, topo.compile_config, raw.compile_config].find(isObj)
  if (!tc) return {}
  const out: Partial<NetDocument['compile']> = {}
  const lossName = (raw: unknown): NetDocument['compile']['loss'] | undefined => {
    if (typeof raw !== 'string') return undefined
    const loss = kerasSnakeCase(raw)
      .replace(/^mse$/, 'mean_squared_error')
      .replace(/^mae$/, 'mean_absolute_error')
    return (LOSSES as readonly string[]).includes(loss) ? (loss as NetDocument['compile']['loss']) : undefined
  }
  if (typeof tc.loss === 'string') {
    const loss = lossName(tc.loss)
    if (loss) out.loss = loss
  } else if (isObj(tc.loss)) {
    // Several outputs: a loss (and a loss weight) per output layer, by name.
    const weights = isObj(tc.loss_weights) ? tc.loss_weights : {}
    const outputs: NonNullable<NetDocument['compile']['outputs']> = {}
    for (const [name, raw] of Object.entries(tc.loss)) {
      const loss = lossName(raw)
      const w = weights[name]
      if (loss) outputs[name] = { loss, weight: typeof w === 'number' ? w : 1 }
    }
    const first = Object.values(outputs)[0]
    if (first) {
      out.loss = first.loss
      out.outputs = outputs
    }
  }
  const opt = tc.optimizer_config ?? tc.optimizer
  if (isObj(opt) && typeof opt.class_name === 'string') {
    const name = opt.class_name.toLowerCase()
    if ((OPTIMIZERS as readonly string[]).includes(name))
      out.optimizer = name as NetDocument['compile']['optimizer']
    const c = isObj(opt.config) ? opt.config : {}
    const lr = c.learning_rate ?? c.learningRate ?? c.lr
    if (typeof lr === 'number' && lr > 0) out.learningRate = lr
  }
  if (Array.isArray(tc.metrics)) out.metrics = tc.metrics.filter((m): m is string => typeof m === 'string')
  return out
}

/** Keras 2 inbound_nodes ([[name, 0, 0, {}], …]) or Keras 3 ({args: [keras_tensor …]}): the source names. */
function inboundRefs(layer: Json): [string, number][][] {
  const nodes = layer.inbound_nodes
  if (!Array.isArray(nodes)) return []
  return nodes.map((node) => {
    if (Array.isArray(node))
      return node.map((ref): [string, number] =>
        Array.isArray(ref) ? [String(ref[0]), Number(ref[1] ?? 0)] : [String((ref as Json).name), 0],
      )
    // Keras 3: keras tensors anywhere in the call's args, in order (walked without recursion).
    const out: [string, number][] = []
    const stack: unknown[] = isObj(node) ? [node.args] : []
    while (stack.length) {
      const v = stack.pop()
      if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i])
      else if (isObj(v) && v.class_name === '__keras_tensor__' && isObj(v.config)) {
        const h = v.config.keras_history
        if (Array.isArray(h) && typeof h[0] === 'string') {
          const index = Number(h[1] ?? 0)
          out.push([h[0], Number.isInteger(index) && index >= 0 ? index : 0])
        }
      }
    }
    return out
  })
}

/** The names a layer's calls refer to in their args (the tensors it computes on, not its mask). */
function argRefs(l: Json): string[] {
  return inboundRefs(l)
    .flat()
    .map(([n]) => n)
}

/**
 * Keras 3's NotEqual operation layers that only compute an Embedding's mask_zero mask (word index != 0
 * of the Embedding's own input, used only as a recurrent layer's mask): what mask_zero means, which
 * the Embedding recomputes in Netwright, so they are left out. Any other NotEqual stays a node.
 */
function maskOps(layers: Json[], nameOf: (l: Json, i: number) => string): Set<string> {
  const out = new Set<string>()
  const used = new Set(layers.flatMap(argRefs))
  const maskedInputs = new Set(
    layers
      .filter((l) => l.class_name === 'Embedding' && isObj(l.config) && l.config.mask_zero === true)
      .flatMap(argRefs),
  )
  layers.forEach((l, i) => {
    if (l.class_name !== 'NotEqual') return
    const name = nameOf(l, i)
    const node = Array.isArray(l.inbound_nodes) && l.inbound_nodes.length === 1 ? l.inbound_nodes[0] : null
    const args = isObj(node) && Array.isArray(node.args) ? node.args : []
    const ins = argRefs(l)
    if (
      !used.has(name) &&
      args.length === 2 &&
      args[1] === 0 &&
      ins.length === 1 &&
      maskedInputs.has(ins[0]!)
    )
      out.add(name)
  })
  return out
}

/** Turns a Keras model config (Sequential or Functional) into a document, laid out top to bottom. */
export function fromKerasJson(raw: unknown, source = 'The file'): Imported {
  if (!isObj(raw))
    throw new DocumentError(`${source} is not a Keras or TensorFlow.js model (expected a JSON object).`)
  const tooBig = jsonOutOfBounds(raw, FILE_BOUNDS)
  if (tooBig) throw new DocumentError(`${source} cannot be opened: ${tooBig}.`)
  const topo = isObj(raw.modelTopology) ? raw.modelTopology : null
  if (raw.format === 'graph-model' || (topo && Array.isArray(topo.node)))
    throw new DocumentError(
      `${source} is a TensorFlow.js graph model: a converted TensorFlow graph of operations, not of Keras layers, so it cannot be opened as a network to edit. Open the Keras model it came from (its .keras file or model JSON), or convert that with tensorflowjs_converter --output_format=tfjs_layers_model.`,
    )
  const found = modelConfig(raw)
  if (!found)
    throw new DocumentError(
      `${source} is not a Netwright project, a Keras model JSON or a TensorFlow.js model.json.`,
    )
  const count = Array.isArray(found.config)
    ? found.config.length
    : isObj(found.config) && Array.isArray(found.config.layers)
      ? found.config.layers.length
      : 0
  if (count > MAX_LAYERS)
    throw new DocumentError(
      `${source} is too large: it has ${count.toLocaleString('en-US')} layers, and Netwright works with up to ${MAX_LAYERS.toLocaleString('en-US')}.`,
    )
  // Checked before anything walks it: the config is the list of layers (Keras 2.0) or holds one.
  const body0 = found.config
  const checked = Array.isArray(body0)
    ? LayersSchema.safeParse(body0)
    : ModelBodySchema.safeParse(isObj(body0) ? body0 : { layers: body0 })
  if (!checked.success) {
    const issue = firstIssue(checked.error)
    throw new DocumentError(
      `${source} is not a Keras model Netwright can read: ${Array.isArray(body0) ? `layers.${issue}` : issue}.`,
    )
  }
  const cfg = found
  const warnings: string[] = []
  const warn = (m: string) => warnings.push(m)
  const kind = cfg.class_name as string
  const body = cfg.config
  const layers = (
    Array.isArray(body) ? body : isObj(body) && Array.isArray(body.layers) ? body.layers : null
  ) as Json[] | null
  if (!layers) throw new DocumentError(`${source}: the ${kind} model has no list of layers.`)
  const nodes: NetNode[] = []
  const edges: NetEdge[] = []
  const idOf = new Map<string, string>()
  const add = (className: string, name: string, c: Json) => {
    const id = name
    idOf.set(name, id)
    if (!layerSpec(className))
      warn(`${name}: the layer type ${className} is not supported; it is shown so you can replace it.`)
    nodes.push({
      id,
      className,
      name,
      params: paramsFrom(className, name, c, warn),
      position: { x: 0, y: 0 },
      // Frozen layers (transfer learning) stay frozen.
      ...(c.trainable === false && layerSpec(className) ? { trainable: false } : {}),
    })
    return id
  }
  const sequential = kind === 'Sequential'
  if (sequential) {
    let prev: string | null = null
    layers.forEach((l, i) => {
      const c = isObj(l.config) ? l.config : {}
      const name = typeof c.name === 'string' && c.name ? c.name : `layer_${i}`
      if (i === 0 && l.class_name !== 'InputLayer') {
        const shape = (c.batch_input_shape ?? c.batch_shape) as unknown
        if (!Array.isArray(shape))
          throw new DocumentError(
            `${source}: the first layer has no input shape, so the model cannot be built.`,
          )
        prev = add('InputLayer', 'input', { batch_input_shape: shape, dtype: c.dtype })
      }
      const id = add(String(l.class_name), name, c)
      if (prev) edges.push({ id: `e-${prev}-${id}`, source: prev, target: id, targetPort: 0 })
      prev = id
    })
  } else if (kind === 'Functional' || kind === 'Model') {
    // A layer applied several times (a shared layer) becomes one node per use, the later ones linked
    // to the first with sharedWith; Keras's node_index says which use a reference means.
    const useId = new Map<string, string>()
    const nameOf = (l: Json, i: number): string => {
      const c = isObj(l.config) ? l.config : {}
      return typeof l.name === 'string'
        ? l.name
        : typeof c.name === 'string' && c.name
          ? c.name
          : `layer_${i}`
    }
    const masks = maskOps(layers, nameOf)
    const calls = layers.filter((l, i) => !masks.has(nameOf(l, i)))
    calls.forEach((l, i) => {
      const c = isObj(l.config) ? l.config : {}
      const name = nameOf(l, i)
      useId.set(`${name}#0`, add(String(l.class_name), name, c))
      inboundRefs(l).forEach((_refs, k) => {
        if (k === 0) return
        const id = `${name}_use${k + 1}`
        nodes.push({
          id,
          className: String(l.class_name),
          name: id,
          params: {},
          position: { x: 0, y: 0 },
          sharedWith: name,
        })
        useId.set(`${name}#${k}`, id)
      })
    })
    calls.forEach((l, i) => {
      const name = nameOf(l, i)
      inboundRefs(l).forEach((refs, k) => {
        const target = useId.get(`${name}#${k}`)!
        refs.forEach(([n, index], port) => {
          const source = useId.get(`${n}#${index}`)
          if (source) edges.push({ id: `e-${source}-${target}-${port}`, source, target, targetPort: port })
          else warn(`${target}: its input ${showValue(n, 60)} is not in the model.`)
        })
      })
    })
    // The model's outputs are its last layers in the document's order: keep output_layers' order.
    const declared = isObj(body) && Array.isArray(body.output_layers) ? (body.output_layers as unknown[]) : []
    const outs = declared
      .map((o) => (Array.isArray(o) ? useId.get(`${String(o[0])}#${Number(o[1] ?? 0)}`) : undefined))
      .filter((id): id is string => !!id)
    if (outs.length > 1) {
      const rest = nodes.filter((n) => !outs.includes(n.id))
      const ordered = outs.map((id) => nodes.find((n) => n.id === id)).filter((n): n is NetNode => !!n)
      nodes.splice(0, nodes.length, ...rest, ...ordered)
    }
  } else {
    throw new DocumentError(
      `${source}: a ${showValue(kind, 60)} model cannot be imported; Sequential and Functional models can.`,
    )
  }
  const base = emptyDocument()
  const given = isObj(body) ? body.name : undefined
  const name = typeof given === 'string' && given.trim() ? given.slice(0, 200) : 'Imported model'
  const document: NetDocument = {
    ...base,
    name,
    style: sequential ? 'sequential' : 'functional',
    nodes,
    edges,
    compile: { ...base.compile, ...compileFrom(raw) },
  }
  const at = autoLayout(document)
  document.nodes = nodes.map((n) => ({ ...n, position: at[n.id]! }))
  return { document, warnings }
}

/** Whether a file's text is a Netwright project (rather than a model to import). */
export const isProject = (text: string): boolean => /"format"\s*:\s*"netwright"/.test(text.slice(0, 4096))

/**
 * Opens any model file the app accepts: a Netwright project, a Keras model JSON (`model.to_json()`) or
 * a TensorFlow.js model.json. Graph problems are left for the editor to show; unreadable files throw.
 */
export function openModelText(text: string, source = 'The file'): Imported {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { document: parseDocument(text, source), warnings: [] }
  }
  if (isObj(raw) && raw.format === 'netwright') return { document: parseDocument(text, source), warnings: [] }
  return fromKerasJson(raw, source)
}
