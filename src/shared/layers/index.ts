import * as act from './activations'
import * as conv from './conv'
import { Activation, Dense, Dropout, Flatten, Input } from './core'
import * as merge from './merge'
import * as norm from './normalization'
import * as pool from './pooling'
import * as rnn from './recurrent'
import * as reshape from './reshaping'
import type { LayerSpec } from './define'
import type { Params } from './params'

export * from './define'
export * from './params'

/** Every layer the app offers, in palette order. Adding a layer is adding it here. */
export const LAYERS: readonly LayerSpec[] = [
  Input,
  Dense,
  Activation,
  Dropout,
  Flatten,
  reshape.Reshape,
  reshape.Permute,
  reshape.RepeatVector,
  conv.Conv1D,
  conv.Conv2D,
  conv.Conv2DTranspose,
  conv.SeparableConv2D,
  conv.DepthwiseConv2D,
  pool.MaxPooling1D,
  pool.MaxPooling2D,
  pool.AveragePooling1D,
  pool.AveragePooling2D,
  pool.GlobalMaxPooling1D,
  pool.GlobalMaxPooling2D,
  pool.GlobalAveragePooling1D,
  pool.GlobalAveragePooling2D,
  reshape.UpSampling2D,
  reshape.ZeroPadding2D,
  reshape.Cropping2D,
  norm.BatchNormalization,
  norm.LayerNormalization,
  norm.SpatialDropout1D,
  norm.GaussianNoise,
  norm.GaussianDropout,
  norm.AlphaDropout,
  rnn.Embedding,
  rnn.SimpleRNN,
  rnn.LSTM,
  rnn.GRU,
  rnn.Bidirectional,
  rnn.TimeDistributed,
  merge.Add,
  merge.Subtract,
  merge.Multiply,
  merge.Average,
  merge.Maximum,
  merge.Minimum,
  merge.Concatenate,
  merge.Dot,
  act.ReLU,
  act.LeakyReLU,
  norm.PReLU,
  act.ELU,
  act.Softmax,
]

const byName = new Map(LAYERS.map((l) => [l.className, l]))

/** The spec for a Keras class name, or undefined for a layer the app does not know. */
export const layerSpec = (className: string): LayerSpec | undefined => byName.get(className)

/** The parameters a layer new from the palette starts with: the defaults, and its newer ones (createParams). */
export function defaultParams(spec: LayerSpec): Params {
  return {
    ...Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, structuredClone(p.default)])),
    ...structuredClone(spec.createParams ?? {}),
  }
}

/** Keras's own to_snake_case (keras.src.utils.naming): Conv2D → conv2d, SimpleRNN → simple_rnn, PReLU → p_re_lu. */
export const kerasSnakeCase = (className: string): string =>
  className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()

/** The name a new layer of this class gets in the document, Keras style (dense, dense_1, ...). */
export function nextLayerName(className: string, taken: Iterable<string>): string {
  const base = className === 'InputLayer' ? 'input' : kerasSnakeCase(className)
  const used = new Set(taken)
  if (!used.has(base)) return base
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`
}
