// What the canvas and the inspector say about a layer beyond its shape: its settings at a glance (as
// Netron's nodes do) and how its parameter count comes about, in the decks' own arithmetic.
import type { Params, Shape } from './params'

const num = (v: number) => v.toLocaleString('en-US')
const pair = (v: unknown) => (Array.isArray(v) ? (v as number[]).join('×') : String(v))
const ones = (v: unknown) => Array.isArray(v) && (v as number[]).every((d) => d === 1)

/**
 * The layer's settings in a few words: the activation, units, filters with kernel, stride and
 * padding, a rate, a pool size. Defaults that say nothing (stride 1, valid padding, linear) are left out.
 */
export function layerGist(className: string, p: Params): string {
  const parts: string[] = []
  const activation = p.activation as string | undefined
  if (p.units !== undefined) parts.push(`${p.units} unit${p.units === 1 ? '' : 's'}`)
  if (p.filters !== undefined) parts.push(`${p.filters} filters`)
  if (p.kernel_size !== undefined) parts.push(pair(p.kernel_size))
  if (p.depth_multiplier !== undefined && p.depth_multiplier !== 1) parts.push(`×${p.depth_multiplier}`)
  if (p.pool_size !== undefined) parts.push(`pool ${pair(p.pool_size)}`)
  if (p.strides !== undefined && p.strides !== null && !ones(p.strides))
    parts.push(`stride ${pair(p.strides)}`)
  if (p.padding === 'same') parts.push('same')
  if (p.rate !== undefined) parts.push(`rate ${p.rate}`)
  if (p.stddev !== undefined) parts.push(`σ ${p.stddev}`)
  if (p.input_dim !== undefined) parts.push(`${num(p.input_dim as number)} → ${p.output_dim}`)
  if (className === 'Bidirectional') parts.unshift(String(p.layer))
  if (p.return_sequences === true) parts.push('sequences')
  if (p.target_shape !== undefined) parts.push(`to ${pair(p.target_shape)}`)
  if (p.size !== undefined && className === 'UpSampling2D') parts.push(`×${pair(p.size)}`)
  if (activation && activation !== 'linear') parts.push(activation)
  return parts.join(' · ')
}

/** How a layer's parameters add up: the sum written out (`784 × 128 + 128`), its total, and a note. */
export interface ParamFormula {
  sum: string
  total: number
  /** What the terms are, in words: weights and biases, the four gates, the moving statistics. */
  note: string
  /** Of the total, what training does not change (BatchNormalization's moving mean and variance). */
  nonTrainable?: number
}

const last = (x: Shape | undefined): number | null => {
  const d = x?.at(-1)
  return typeof d === 'number' ? d : null
}
const kernel = (p: Params) => (p.kernel_size as number[]).map((k) => `${k} × `).join('')
const product = (ks: number[]) => ks.reduce((a, b) => a * b, 1)

function recurrent(cell: string, c: number, units: number, bias: boolean, resetAfter: boolean) {
  const gates = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1
  const biases = bias ? (resetAfter ? 2 : 1) : 0
  const inner = `(${c} + ${units}) × ${units}${biases === 2 ? ` + 2 × ${units}` : biases ? ` + ${units}` : ''}`
  const total = gates * units * (c + units + biases)
  const what =
    cell === 'LSTM'
      ? 'four gates (input, forget, cell, output), each with weights for the input and for the previous state'
      : cell === 'GRU'
        ? `three gates (update, reset, candidate), each with input and state weights${biases === 2 ? ' and two biases (reset_after)' : ''}`
        : 'input weights, state weights (the previous step fed back)'
  return { sum: gates === 1 ? inner : `${gates} × (${inner})`, bracketed: `(${inner})`, gates, total, what }
}

/** The parameter count as a sum, or null for a layer without weights or with an unknown input size. */
export function paramFormula(className: string, inputs: Shape[], p: Params): ParamFormula | null {
  const c = last(inputs[0])
  if (c === null) return null
  const bias = p.use_bias !== false
  switch (className) {
    case 'Dense': {
      const u = p.units as number
      return {
        sum: `${c} × ${u}${bias ? ` + ${u}` : ''}`,
        total: c * u + (bias ? u : 0),
        note: `${c} inputs × ${u} units weights${bias ? `, plus one bias per unit` : ''}`,
      }
    }
    case 'TimeDistributed': {
      const u = p.units as number
      return { sum: `${c} × ${u} + ${u}`, total: c * u + u, note: 'one Dense, the same at every step' }
    }
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv2DTranspose': {
      const f = p.filters as number
      const k = product(p.kernel_size as number[])
      return {
        sum: `${kernel(p)}${c} × ${f}${bias ? ` + ${f}` : ''}`,
        total: k * c * f + (bias ? f : 0),
        note: `each of the ${f} filters is a ${pair(p.kernel_size)} kernel over all ${c} input channels${bias ? ', plus one bias per filter' : ''}`,
      }
    }
    case 'DepthwiseConv2D': {
      const m = p.depth_multiplier as number
      const out = c * m
      return {
        sum: `${kernel(p)}${c} × ${m}${bias ? ` + ${out}` : ''}`,
        total: product(p.kernel_size as number[]) * out + (bias ? out : 0),
        note: 'one kernel per input channel (times the depth multiplier), not mixing channels',
      }
    }
    case 'SeparableConv2D': {
      const m = p.depth_multiplier as number
      const f = p.filters as number
      return {
        sum: `${kernel(p)}${c} × ${m} + ${c} × ${m} × ${f}${bias ? ` + ${f}` : ''}`,
        total: product(p.kernel_size as number[]) * c * m + c * m * f + (bias ? f : 0),
        note: 'a depthwise kernel per channel, then a 1×1 convolution mixing them into the filters',
      }
    }
    case 'Embedding': {
      const d = p.input_dim as number
      const o = p.output_dim as number
      return { sum: `${d} × ${o}`, total: d * o, note: `one vector of ${o} numbers per word of the ${d}` }
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const r = recurrent(className, c, p.units as number, bias, p.reset_after === true)
      return { sum: r.sum, total: r.total, note: r.what }
    }
    case 'Bidirectional': {
      const r = recurrent(p.layer as string, c, p.units as number, true, false)
      return {
        sum: `2 × ${r.gates === 1 ? r.bracketed : r.sum}`,
        total: 2 * r.total,
        note: `two ${p.layer}s, one each way: ${r.what}`,
      }
    }
    case 'BatchNormalization':
      return {
        sum: `4 × ${c}`,
        total: 4 * c,
        note: `per channel: γ and β are trained (2 × ${c}); the moving mean and variance (2 × ${c}) are not`,
        nonTrainable: 2 * c,
      }
    case 'PReLU': {
      const dims = inputs[0]!.slice(1)
      if (dims.some((d) => d === null)) return null
      return {
        sum: (dims as number[]).join(' × '),
        total: product(dims as number[]),
        note: 'one learned slope for negative values per input value',
      }
    }
    case 'LayerNormalization':
      return { sum: `2 × ${c}`, total: 2 * c, note: 'per feature: a scale γ and an offset β' }
    default:
      return null
  }
}

/** `784 × 128 + 128 = 100,480`. */
export const formulaText = (f: ParamFormula) => `${f.sum} = ${num(f.total)}`
