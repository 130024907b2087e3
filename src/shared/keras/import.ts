import { emptyDocument } from '../graph/defaults'
import { autoLayout } from '../graph/layout'
import { DocumentError, parseDocument } from '../graph/load'
import { LOSSES, OPTIMIZERS, type NetDocument, type NetEdge, type NetNode } from '../graph/schema'
import { layerSpec, type ParamValue } from '../layers'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

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
  const tc = (isObj(topo.training_config) ? topo.training_config : raw.training_config) as Json | undefined
  if (!isObj(tc)) return {}
  const out: Partial<NetDocument['compile']> = {}
  const snake = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()
  const lossName = (raw: unknown): NetDocument['compile']['loss'] | undefined => {
    if (typeof raw !== 'string') return undefined
    const loss = snake(raw).replace(/^mse$/, 'mean_squared_error').replace(/^mae$/, 'mean_absolute_error')
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
  const opt = tc.optimizer_config
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

/** A layer's params in our form, from its Keras config; what does not map is reported. */
function paramsFrom(
  className: string,
  name: string,
  c: Json,
  warn: (m: string) => void,
): Record<string, unknown> {
  const spec = layerSpec(className)
  if (!spec) return {}
  const p: Record<string, unknown> = {}
  for (const key of Object.keys(spec.params)) if (key in c) p[key] = c[key] as ParamValue
  const pair = (v: unknown): [number, number] | null => {
    if (typeof v === 'number') return [v, v]
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
      return v as [number, number]
    if (Array.isArray(v) && v.length === 2 && v.every((x) => Array.isArray(x) && x[0] === x[1]))
      return [v[0][0], v[1][0]]
    return null
  }
  switch (className) {
    case 'InputLayer': {
      const shape = (c.batch_input_shape ?? c.batch_shape ?? c.batchInputShape) as unknown[] | undefined
      if (Array.isArray(shape)) p.shape = shape.slice(1)
      if (typeof c.dtype === 'string')
        p.dtype = c.dtype === 'int32' || c.dtype === 'int64' ? 'int32' : 'float32'
      break
    }
    case 'ZeroPadding2D':
    case 'Cropping2D': {
      const key = className === 'ZeroPadding2D' ? 'padding' : 'cropping'
      const v = pair(c[key])
      if (v) p[key] = v
      else
        warn(
          `${name}: an uneven ${key} ${JSON.stringify(c[key])} is not supported; it was set to the default.`,
        )
      break
    }
    case 'Bidirectional': {
      const inner = isObj(c.layer) ? c.layer : {}
      const ic = isObj(inner.config) ? inner.config : {}
      p.layer = inner.class_name
      if ('units' in ic) p.units = ic.units
      if ('return_sequences' in ic) p.return_sequences = ic.return_sequences
      break
    }
    case 'TimeDistributed': {
      const inner = isObj(c.layer) ? c.layer : {}
      const ic = isObj(inner.config) ? inner.config : {}
      if (inner.class_name !== 'Dense')
        warn(`${name}: TimeDistributed(${String(inner.class_name)}) is not supported; only Dense is.`)
      p.units = ic.units
      p.activation = ic.activation
      break
    }
  }
  const ints = (v: unknown) => (typeof v === 'number' ? [v] : v)
  for (const [k, ps] of Object.entries(spec.params))
    if (ps.kind === 'tuple' && k in p && p[k] !== null) {
      const v = ints(p[k]) as number[]
      p[k] = v.length === ps.length ? v : Array.from({ length: ps.length }, () => v[0])
    }
  for (const k of ['dilation_rate'])
    if (k in c && JSON.stringify(c[k]) !== '[1,1]' && JSON.stringify(c[k]) !== '[1]' && c[k] !== 1)
      warn(
        `${name}: ${k} ${JSON.stringify(c[k])} is not supported (TensorFlow.js cannot train it); it was set to 1.`,
      )
  if (c.data_format === 'channels_first')
    warn(`${name}: channels_first is not supported; Netwright uses channels_last.`)
  return p
}

/** Keras 2 inbound_nodes ([[name, 0, 0, {}], …]) or Keras 3 ({args: [keras_tensor …]}): the source names. */
function inboundRefs(layer: Json): [string, number][][] {
  const nodes = layer.inbound_nodes
  if (!Array.isArray(nodes)) return []
  return nodes.map((node) => {
    if (Array.isArray(node))
      return node.map((ref): [string, number] =>
        Array.isArray(ref) ? [String(ref[0]), Number(ref[1] ?? 0)] : [String((ref as Json).name ?? ref), 0],
      )
    const out: [string, number][] = []
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk)
      else if (isObj(v) && v.class_name === '__keras_tensor__' && isObj(v.config)) {
        const h = v.config.keras_history as unknown[]
        out.push([String(h[0]), Number(h[1] ?? 0)])
      }
    }
    if (isObj(node)) walk(node.args)
    return out
  })
}

/** Turns a Keras model config (Sequential or Functional) into a document, laid out top to bottom. */
export function fromKerasJson(raw: unknown, source = 'The file'): Imported {
  if (!isObj(raw))
    throw new DocumentError(`${source} is not a Keras or TensorFlow.js model (expected a JSON object).`)
  const cfg = modelConfig(raw)
  if (!cfg)
    throw new DocumentError(
      `${source} is not a Netwright project, a Keras model JSON or a TensorFlow.js model.json.`,
    )
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
    })
    return id
  }
  const sequential = kind === 'Sequential'
  if (sequential) {
    let prev: string | null = null
    layers.forEach((l, i) => {
      const c = isObj(l.config) ? l.config : {}
      const name = String(c.name ?? `layer_${i}`)
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
    for (const l of layers) {
      const c = isObj(l.config) ? l.config : {}
      const name = String(l.name ?? c.name)
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
    }
    for (const l of layers) {
      const name = String(l.name ?? (l.config as Json)?.name)
      inboundRefs(l).forEach((refs, k) => {
        const target = useId.get(`${name}#${k}`)!
        refs.forEach(([n, index], port) => {
          const source = useId.get(`${n}#${index}`)
          if (source) edges.push({ id: `e-${source}-${target}-${port}`, source, target, targetPort: port })
          else warn(`${target}: its input "${n}" is not in the model.`)
        })
      })
    }
    // The model's outputs are its last layers in the document's order: keep output_layers' order.
    const declared = isObj(body) && Array.isArray(body.output_layers) ? (body.output_layers as unknown[]) : []
    const outs = declared
      .map((o) => (Array.isArray(o) ? useId.get(`${String(o[0])}#${Number(o[1] ?? 0)}`) : undefined))
      .filter((id): id is string => !!id)
    if (outs.length > 1) {
      const rest = nodes.filter((n) => !outs.includes(n.id))
      const ordered = outs.map((id) => nodes.find((n) => n.id === id)!)
      nodes.splice(0, nodes.length, ...rest, ...ordered)
    }
  } else {
    throw new DocumentError(
      `${source}: a "${kind}" model cannot be imported; Sequential and Functional models can.`,
    )
  }
  const base = emptyDocument()
  const name = String((isObj(body) ? body.name : undefined) ?? 'Imported model')
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
