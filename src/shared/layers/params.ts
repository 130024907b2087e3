import { showValue } from '../json-limits'
/** Parameter declarations for layer specs: Keras's own snake_case names, defaults and a doc line. */

export type Shape = (number | null)[]

export type ParamSpec =
  | { kind: 'int'; default: number; min?: number; max?: number; doc: string }
  | {
      kind: 'float'
      default: number | null
      min?: number
      max?: number
      maxExclusive?: boolean
      /** null allowed: no value (Keras's None), as ReLU's max_value. */
      nullable?: boolean
      doc: string
    }
  | { kind: 'bool'; default: boolean; doc: string }
  | { kind: 'choice'; default: string; options: readonly string[]; doc: string }
  | { kind: 'shape'; default: number[]; doc: string }
  /** A fixed-length list of whole numbers, such as a kernel size [3, 3]; null where Keras allows None. */
  | { kind: 'tuple'; length: number; min: number; default: number[] | null; nullable?: boolean; doc: string }

export type ParamValue = number | boolean | string | number[] | null
export type Params = Record<string, ParamValue>

export const int = (o: { default: number; min?: number; max?: number; doc: string }): ParamSpec => ({
  kind: 'int',
  ...o,
})
export const float = (o: {
  default: number | null
  min?: number
  max?: number
  maxExclusive?: boolean
  nullable?: boolean
  doc: string
}): ParamSpec => ({ kind: 'float', ...o })
export const bool = (value: boolean, doc: string): ParamSpec => ({ kind: 'bool', default: value, doc })
export const choice = (options: readonly string[], value: string, doc: string): ParamSpec => ({
  kind: 'choice',
  options,
  default: value,
  doc,
})
export const shape = (value: number[], doc: string): ParamSpec => ({ kind: 'shape', default: value, doc })
export const tuple = (o: {
  length: number
  min?: number
  default: number[] | null
  nullable?: boolean
  doc: string
}): ParamSpec => ({ kind: 'tuple', min: 1, ...o })

/** The activation strings tfjs knows under their Keras names. */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'hard_sigmoid',
  'tanh',
  'softmax',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'gelu',
] as const

/** The received value in a message: short, and safe for any value a file can hold. */
const show = (v: unknown): string => showValue(v)

/**
 * Checks one parameter value against its declaration.
 * @returns a learner-readable message, or null when the value is fine.
 */
export function checkParam(name: string, spec: ParamSpec, value: unknown): string | null {
  switch (spec.kind) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return `${name} must be a whole number; received ${show(value)}`
      if (spec.min !== undefined && value < spec.min)
        return `${name} must be at least ${spec.min}; received ${value}`
      if (spec.max !== undefined && value > spec.max)
        return `${name} must be at most ${spec.max}; received ${value}`
      return null
    }
    case 'float': {
      if (value === null && spec.nullable) return null
      if (typeof value !== 'number' || !Number.isFinite(value))
        return `${name} must be a number; received ${show(value)}`
      if (spec.min !== undefined && value < spec.min)
        return `${name} must be at least ${spec.min}; received ${value}`
      if (spec.max !== undefined && (spec.maxExclusive ? value >= spec.max : value > spec.max))
        return `${name} must be ${spec.maxExclusive ? 'below' : 'at most'} ${spec.max}; received ${value}`
      return null
    }
    case 'bool':
      return typeof value === 'boolean' ? null : `${name} must be true or false; received ${show(value)}`
    case 'choice':
      return typeof value === 'string' && spec.options.includes(value)
        ? null
        : `${name} must be one of ${spec.options.join(', ')}; received ${show(value)}`
    case 'shape':
      // null: a length the data sets (Keras's None), as in variable-length sequences.
      return Array.isArray(value) &&
        value.length > 0 &&
        value.every((d) => d === null || (Number.isInteger(d) && d > 0))
        ? null
        : `${name} must be a list of positive whole numbers such as [28, 28] (None or null for a length the data sets); received ${show(value)}`
    case 'tuple': {
      if (value === null && spec.nullable) return null
      const example = Array.from({ length: spec.length }, () => Math.max(spec.min, 2)).join(', ')
      return Array.isArray(value) &&
        value.length === spec.length &&
        value.every((d) => Number.isInteger(d) && d >= spec.min)
        ? null
        : `${name} must be ${spec.length} whole number${spec.length === 1 ? '' : 's'} of ${spec.min} or more, such as [${example}]${spec.nullable ? ' (or empty)' : ''}; received ${show(value)}`
    }
    default: {
      const never: never = spec
      return never
    }
  }
}
