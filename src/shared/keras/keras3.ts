// Keras 3's own JSON dialect, written from the canonical config (Keras 2 / TensorFlow.js dialect,
// which tfjs builds from). Keras 3 reads a model only when each object names its module
// (`"module": "keras.layers"`, ...), its InputLayer says batch_shape, and a Functional model's calls
// are {args, kwargs} holding keras tensors: what `model.to_json()` writes. Import reads both.
import type { Analysis } from '../graph/analyze'
import type { KerasLayer, KerasModelConfig } from './config'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The Keras version whose format this writes (what `keras.__version__` says of the files it reads). */
export const KERAS3_VERSION = '3.15.1'

/** The module Keras 3 finds a nested object in, by the config key that holds it. */
function moduleFor(key: string): string | null {
  if (key === 'layer' || key === 'backward_layer' || key === 'cell') return 'keras.layers'
  if (key.endsWith('_initializer')) return 'keras.initializers'
  if (key.endsWith('_regularizer')) return 'keras.regularizers'
  if (key.endsWith('_constraint')) return 'keras.constraints'
  return null
}

/** A layer config's nested serialized objects (initializers, wrapped layers) with their modules. */
function withModules(config: Json): Json {
  const out: Json = {}
  for (const [k, v] of Object.entries(config)) {
    const module = moduleFor(k)
    if (module && isObj(v) && typeof v.class_name === 'string')
      out[k] = {
        module,
        class_name: v.class_name,
        config: isObj(v.config) ? (module === 'keras.layers' ? withModules(v.config) : v.config) : {},
        registered_name: null,
      }
    else out[k] = v
  }
  return out
}

/** Keras 3's names for settings Keras 2 and tfjs spell otherwise, and keys its layers refuse. */
const RENAMED: Record<string, Record<string, string>> = {
  InputLayer: { batch_input_shape: 'batch_shape' },
  LeakyReLU: { alpha: 'negative_slope' },
}
const REFUSED: Record<string, string[]> = {
  // Keras 3's SpatialDropout1D takes (rate, seed, name, dtype) only.
  SpatialDropout1D: ['trainable'],
}

function layer3(l: KerasLayer): Json {
  const renamed = RENAMED[l.class_name] ?? {}
  const refused = REFUSED[l.class_name] ?? []
  const config: Json = {}
  for (const [k, v] of Object.entries(withModules(l.config)))
    if (!refused.includes(k)) config[renamed[k] ?? k] = v
  return { module: 'keras.layers', class_name: l.class_name, config, registered_name: null }
}

/** A keras tensor's shape and dtype, as Keras 3 writes them with each call of a layer. */
export type TensorInfo = (
  layer: string,
  use: number,
  index: number,
) => { shape: (number | null)[] | null; dtype: string } | undefined

/** Each call's tensors from the analysis of the document (the layer's use → its node). */
export const tensorsFromAnalysis =
  (analysis: Analysis, nodeOf: (name: string, use: number) => string | undefined): TensorInfo =>
  (name, use) => {
    const info = analysis.nodes[nodeOf(name, use) ?? '']
    return info ? { shape: info.outputShape ?? null, dtype: info.dtype ?? 'float32' } : undefined
  }

/**
 * The Keras 3 model config of a canonical one. `tensors` gives the keras tensors' shapes and dtypes
 * (Keras 3 writes them with each call, and a Functional model's are read back).
 */
export function toKeras3Config(config: KerasModelConfig, tensors: TensorInfo): Json {
  if (config.class_name === 'Sequential')
    return {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: config.config.name,
        trainable: true,
        dtype: 'float32',
        layers: config.config.layers.map(layer3),
      },
      registered_name: null,
    }
  const tensor = (ref: unknown): Json => {
    const [name, use, index] = ref as [string, number, number]
    const info = tensors(name, use, index)
    return {
      class_name: '__keras_tensor__',
      config: {
        shape: info?.shape ?? null,
        dtype: info?.dtype ?? 'float32',
        keras_history: [name, use, index],
      },
    }
  }
  const layers = config.config.layers.map((l) => {
    const calls = (l.inbound_nodes ?? []) as unknown[][]
    return {
      ...layer3(l),
      name: l.name ?? l.config.name,
      inbound_nodes: calls.map((refs) => ({
        args: refs.length === 1 ? [tensor(refs[0])] : [refs.map(tensor)],
        kwargs: {},
      })),
    }
  })
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: config.config.name,
      trainable: true,
      layers,
      input_layers: config.config.input_layers,
      output_layers: config.config.output_layers,
    },
    registered_name: 'Functional',
  }
}
