// Keras's own files: Keras 3's .keras (a zip of config.json, metadata.json and model.weights.h5)
// and the .h5 of Keras 2 (and Keras 3's legacy save), read and written with h5wasm, the HDF5 C
// library compiled to WebAssembly (the reference HDF5, reads and writes; jsfive reads only). It runs
// on its in-memory file system, so a file is only ever handed to it as bytes.
import h5wasm, { type Dataset, type File as H5File, type Group } from 'h5wasm'
import { strToU8, unzipSync, zipSync } from 'fflate'
import { showValue } from '../../shared/json-limits'
import { ServiceError } from '../service/errors'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** One weight array as a file holds it. */
export interface Weight {
  shape: number[]
  values: Float32Array
}

/** A Keras file's model config (as `to_json()` writes it) and each layer's weights, by layer name, in Keras's order. */
export interface KerasFile {
  config: Json
  weights: Map<string, Weight[]>
}

/** The most a .keras or .h5 file may hold, unpacked. */
const MAX_BYTES = 1024 * 1024 * 1024

const bad = (source: string, why: string) =>
  new ServiceError('bad-request', `${source} cannot be opened: ${why}.`)

let sequence = 0
let throwing = false

/** Runs `fn` on HDF5 bytes opened (or on a new file, when bytes is null) in h5wasm's memory. */
async function withH5<T>(
  bytes: Uint8Array | null,
  fn: (f: H5File) => T,
  source: string,
): Promise<[T, Uint8Array | null]> {
  const module = await h5wasm.ready
  // HDF5's errors thrown as exceptions, not printed to stderr (and never a half-open file).
  if (!throwing) throwing = module.activate_throwing_error_handler() >= 0
  const { FS } = module
  const path = `/netwright-${process.pid}-${++sequence}.h5`
  let file: H5File | undefined
  try {
    if (bytes) FS.writeFile(path, bytes)
    try {
      file = new h5wasm.File(path, bytes ? 'r' : 'w')
    } catch {
      throw bad(source, 'it is not an HDF5 file (its weights could not be read)')
    }
    let out: T
    try {
      out = fn(file)
    } catch (e) {
      if (e instanceof ServiceError) throw e
      throw bad(source, 'its weights could not be read: the HDF5 data is damaged')
    }
    if (!bytes) file.flush()
    file.close()
    file = undefined
    return [out, bytes ? null : (FS.readFile(path) as Uint8Array)]
  } finally {
    try {
      file?.close()
    } catch {
      /* closing a file that failed to open */
    }
    try {
      FS.unlink(path)
    } catch {
      /* never written */
    }
  }
}

const isGroup = (x: unknown): x is Group => x instanceof h5wasm.Group
const isDataset = (x: unknown): x is Dataset => x instanceof h5wasm.Dataset

function readWeight(ds: Dataset, where: string, source: string): Weight {
  const shape = (ds.shape ?? []).map(Number)
  const value = ds.value as unknown
  if (!(value instanceof Float32Array || value instanceof Float64Array))
    throw bad(
      source,
      `the weight ${where} is not an array of floating-point numbers (${showValue(ds.dtype)})`,
    )
  const n = shape.reduce((a, b) => a * b, 1)
  if (value.length !== n)
    throw bad(source, `the weight ${where} holds ${value.length} values for shape [${shape}]`)
  return { shape, values: value instanceof Float32Array ? value : Float32Array.from(value) }
}

const attr = (g: Group, name: string): unknown => (g.attrs as Record<string, { value: unknown }>)[name]?.value

/** The child groups of a Keras 3 layer, in the order its weights come (forward before backward). */
const CHILD_ORDER = ['layer', 'forward_layer', 'backward_layer', 'cell']

/** A Keras 3 layer group's weights: its own vars, then its sublayers' (as layer.weights orders them). */
function layerWeights(g: Group, where: string, source: string): Weight[] {
  const out: Weight[] = []
  const vars = g.get('vars')
  if (isGroup(vars))
    for (const k of vars.keys().sort((a, b) => Number(a) - Number(b))) {
      const ds = vars.get(k)
      if (isDataset(ds)) out.push(readWeight(ds, `${where}/vars/${k}`, source))
    }
  const children = g.keys().filter((k) => k !== 'vars')
  children.sort((a, b) => {
    const ia = CHILD_ORDER.indexOf(a)
    const ib = CHILD_ORDER.indexOf(b)
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b)
  })
  for (const k of children) {
    const child = g.get(k)
    if (isGroup(child)) out.push(...layerWeights(child, `${where}/${k}`, source))
  }
  return out
}

/** Keras 3's model.weights.h5: layers/<path>/vars/<i>, each layer's vars group naming the layer. */
function readWeightsH5(f: H5File, source: string): Map<string, Weight[]> {
  const out = new Map<string, Weight[]>()
  const layers = f.get('layers')
  if (!isGroup(layers)) return out
  for (const k of layers.keys()) {
    const g = layers.get(k)
    if (!isGroup(g)) continue
    const vars = g.get('vars')
    const name = isGroup(vars) ? attr(vars, 'name') : undefined
    out.set(typeof name === 'string' ? name : k, layerWeights(g, `layers/${k}`, source))
  }
  return out
}

/** The legacy .h5: model_config and training_config as attributes, model_weights/<layer> with weight_names. */
function readLegacyH5(f: H5File, source: string): KerasFile {
  const text = attr(f, 'model_config')
  if (typeof text !== 'string')
    throw bad(
      source,
      'it holds weights only, without the model (saved with save_weights); open the model it belongs to instead',
    )
  let config: unknown
  try {
    config = JSON.parse(text)
  } catch {
    throw bad(source, 'its model_config is not JSON')
  }
  if (!isObj(config)) throw bad(source, 'its model_config is not a model')
  const training = attr(f, 'training_config')
  if (typeof training === 'string')
    try {
      config.training_config = JSON.parse(training) as unknown
    } catch {
      /* the architecture still opens; compile settings fall back to the defaults */
    }
  const weights = new Map<string, Weight[]>()
  const root = f.get('model_weights')
  const group = isGroup(root) ? root : f
  const names = attr(group, 'layer_names')
  for (const layer of Array.isArray(names) ? names.map(String) : []) {
    const g = group.get(layer)
    if (!isGroup(g)) continue
    const wn = attr(g, 'weight_names')
    const list = Array.isArray(wn) ? wn.map(String) : typeof wn === 'string' && wn ? [wn] : []
    weights.set(
      layer,
      list.map((w) => {
        const ds = g.get(w)
        if (!isDataset(ds)) throw bad(source, `the weight ${layer}/${w} it lists is missing`)
        return readWeight(ds, `${layer}/${w}`, source)
      }),
    )
  }
  return { config, weights }
}

/** Reads a .keras or .h5 file's model config and weights. */
export async function readKerasFile(bytes: Uint8Array, source: string): Promise<KerasFile> {
  // A zip (PK\x03\x04): Keras 3's .keras.
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    let total = 0
    let files: Record<string, Uint8Array>
    try {
      files = unzipSync(bytes, {
        filter: (f) => {
          total += f.originalSize
          if (total > MAX_BYTES) throw new RangeError('too large')
          return f.name === 'config.json' || f.name === 'model.weights.h5' || f.name === 'metadata.json'
        },
      })
    } catch (e) {
      throw bad(
        source,
        e instanceof RangeError
          ? `it unpacks to more than ${MAX_BYTES / 2 ** 30} GB`
          : 'it is not a readable zip archive',
      )
    }
    const cfg = files['config.json']
    if (!cfg) throw bad(source, 'the archive has no config.json, so it is not a Keras 3 .keras file')
    let config: unknown
    try {
      config = JSON.parse(new TextDecoder().decode(cfg))
    } catch {
      throw bad(source, 'its config.json is not JSON')
    }
    if (!isObj(config)) throw bad(source, 'its config.json is not a model')
    const h5 = files['model.weights.h5']
    const weights = h5
      ? (await withH5(h5, (f) => readWeightsH5(f, source), source))[0]
      : new Map<string, Weight[]>()
    return { config, weights }
  }
  // HDF5's signature: \x89HDF\r\n\x1a\n.
  if (bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46)
    return (await withH5(bytes, (f) => readLegacyH5(f, source), source))[0]
  throw bad(source, 'it is neither a Keras 3 .keras archive nor a Keras .h5 file')
}

/** Keras's naming.to_snake_case, which names each layer's group in a .keras file. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
}

/** Where each of a layer's weights goes under its group, by class (its sublayers' groups, as Keras 3 nests them). */
function varPaths(
  className: string,
  inner: string | undefined,
  count: number,
): { groups: string[]; vars: string[] } {
  const recurrent = ['SimpleRNN', 'LSTM', 'GRU']
  if (recurrent.includes(className))
    return { groups: ['vars', 'cell/vars'], vars: Array.from({ length: count }, (_, i) => `cell/vars/${i}`) }
  if (className === 'Bidirectional' && inner) {
    const half = count / 2
    return {
      groups: [
        'vars',
        'forward_layer/vars',
        'forward_layer/cell/vars',
        'backward_layer/vars',
        'backward_layer/cell/vars',
      ],
      vars: Array.from({ length: count }, (_, i) =>
        i < half ? `forward_layer/cell/vars/${i}` : `backward_layer/cell/vars/${i - half}`,
      ),
    }
  }
  if (className === 'TimeDistributed')
    return {
      groups: ['vars', 'layer/vars'],
      vars: Array.from({ length: count }, (_, i) => `layer/vars/${i}`),
    }
  return { groups: ['vars'], vars: Array.from({ length: count }, (_, i) => `vars/${i}`) }
}

/** One layer of the model being written: its class, name and weights in Keras's order. */
export interface LayerWeights {
  className: string
  name: string
  inner?: string
  weights: Weight[]
}

/**
 * A Keras 3 .keras archive: config.json (the model as to_json() writes it), metadata.json and
 * model.weights.h5 laid out as Keras's saving_lib writes and reads it.
 */
export async function writeKerasFile(
  configJson: string,
  modelName: string,
  layers: LayerWeights[],
): Promise<Uint8Array> {
  const [, h5] = await withH5(
    null,
    (f) => {
      const taken = new Map<string, number>()
      f.create_group('layers')
      for (const l of layers) {
        const base = toSnakeCase(l.className)
        const k = taken.get(base) ?? 0
        taken.set(base, k + 1)
        const dir = `layers/${k ? `${base}_${k}` : base}`
        f.create_group(dir)
        const { groups, vars } = varPaths(l.className, l.inner, l.weights.length)
        for (const g of groups) {
          const parts = g.split('/')
          for (let i = 1; i <= parts.length; i++) {
            const p = `${dir}/${parts.slice(0, i).join('/')}`
            if (!f.get(p)) f.create_group(p)
          }
        }
        ;(f.get(`${dir}/vars`) as Group).create_attribute('name', l.name)
        l.weights.forEach((w, i) => {
          const path = vars[i]!
          const parent = f.get(`${dir}/${path.slice(0, path.lastIndexOf('/'))}`) as Group
          parent.create_dataset({
            name: path.slice(path.lastIndexOf('/') + 1),
            data: w.values,
            shape: w.shape,
            dtype: '<f',
          })
        })
      }
      f.create_group('vars').create_attribute('name', modelName)
    },
    'the export',
  )
  const metadata = {
    keras_version: '3.15.1',
    date_saved: new Date().toISOString().slice(0, 19).replace('T', '@'),
  }
  return zipSync(
    {
      'metadata.json': strToU8(JSON.stringify(metadata)),
      'config.json': strToU8(configJson),
      'model.weights.h5': h5!,
    },
    { level: 6 },
  )
}
