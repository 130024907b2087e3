import type { ParamSpec, Params, Shape } from './params'

export const CATEGORIES = [
  'Core',
  'Convolution',
  'Pooling',
  'Reshaping',
  'Normalization and regularization',
  'Recurrent and text',
  'Merge',
  'Activation',
] as const
export type LayerCategory = (typeof CATEGORIES)[number]

/** Thrown by a spec's shape function; the message is shown on the node, Keras style. */
export class ShapeError extends Error {}

export interface LayerSpec {
  /** The Keras class_name, so configs and Python export are direct. */
  className: string
  category: LayerCategory
  /** One line a learner can read in the palette and the inspector. */
  doc: string
  /** 'none' for Input, 'one' for ordinary layers, 'many' for merge layers. */
  inputs: 'none' | 'one' | 'many'
  params: Record<string, ParamSpec>
  /** The output shape; `dtypes` are the inputs' dtypes ('float32' unless an int32 Input feeds it). */
  outputShape: (inputs: Shape[], p: Params, dtypes: string[]) => Shape
  /** All parameters, trainable or not, as Keras counts them. */
  paramCount: (inputs: Shape[], p: Params) => number
  /** The part of paramCount that is not trained (BatchNormalization's moving statistics). */
  nonTrainableCount?: (inputs: Shape[], p: Params) => number
  /**
   * What a layer new from the palette starts with where it differs from the defaults, which are what
   * a saved document or an older Keras file that omits a setting means (GRU: reset_after).
   */
  createParams?: Params
  /** The Keras layer config (without name), from validated params. Defaults to the params as they are. */
  kerasConfig?: (p: Params) => Record<string, unknown>
}

export const defineLayer = (spec: LayerSpec): LayerSpec => spec

/** Renders a shape the way Keras prints it: (None, 28, 28). */
export const formatShape = (s: Shape): string =>
  `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`

/** A shape in a message: as the canvas and Keras print it, (None, 128). */
export const shapeText = (s: Shape): string => formatShape(s)
