import { defineLayer, ShapeError, shapeText, type LayerSpec } from './define'
import { bool, int, type Shape } from './params'

const list = (shapes: Shape[]) => shapes.map(shapeText).join(' and ')

/** Element-wise merges: every input must have the same shape (Keras also broadcasts 1s; we ask for equal). */
function elementwise(className: string, doc: string): LayerSpec {
  return defineLayer({
    className,
    category: 'Merge',
    doc,
    inputs: 'many',
    params: {},
    outputShape: (ins) => {
      const [first] = ins
      const same = ins.every(
        (s) =>
          s.length === first!.length &&
          s.every((d, i) => d === null || first![i] === null || d === first![i]),
      )
      if (!same)
        throw new ShapeError(
          `${className} needs inputs of the same shape; received ${list(ins)}. Make the layers before it output the same shape.`,
        )
      return first!.map((d, i) => (d === null ? (ins.find((s) => s[i] !== null)?.[i] ?? null) : d))
    },
    paramCount: () => 0,
  })
}

export const Add = elementwise(
  'Add',
  'Adds its inputs value by value (as in a residual connection); they must have the same shape.',
)
export const Multiply = elementwise(
  'Multiply',
  'Multiplies its inputs value by value; they must have the same shape.',
)
export const Average = elementwise(
  'Average',
  'Averages its inputs value by value; they must have the same shape.',
)
export const Maximum = elementwise(
  'Maximum',
  'Keeps the larger input at every position; inputs must have the same shape.',
)
export const Minimum = elementwise(
  'Minimum',
  'Keeps the smaller input at every position; inputs must have the same shape.',
)

const subtractShape = Add.outputShape
export const Subtract = defineLayer({
  className: 'Subtract',
  category: 'Merge',
  doc: 'Subtracts its second input from its first, value by value; exactly two inputs of the same shape.',
  inputs: 'many',
  params: {},
  outputShape: (ins) => {
    if (ins.length !== 2)
      throw new ShapeError(`Subtract takes exactly two inputs (first − second); received ${ins.length}.`)
    return subtractShape(ins, {}, [])
  },
  paramCount: () => 0,
})

export const Concatenate = defineLayer({
  className: 'Concatenate',
  category: 'Merge',
  doc: 'Joins its inputs end to end along one axis (the last by default); the other dimensions must match.',
  inputs: 'many',
  params: {
    axis: int({ default: -1, doc: 'The axis to join along (-1: the last, e.g. features or channels).' }),
  },
  outputShape: (ins, p) => {
    const rank = ins[0]!.length
    if (ins.some((s) => s.length !== rank))
      throw new ShapeError(
        `Concatenate needs inputs with the same number of dimensions; received ${list(ins)}.`,
      )
    const axis = (p.axis as number) < 0 ? rank + (p.axis as number) : (p.axis as number)
    if (axis <= 0 || axis >= rank)
      throw new ShapeError(
        `Concatenate's axis ${p.axis} does not fit inputs of ${rank} dimensions (batch included): use 1 to ${rank - 1} or -1.`,
      )
    for (let i = 1; i < rank; i++) {
      if (i === axis) continue
      const dims = ins.map((s) => s[i])
      if (dims.some((d) => d !== null && dims.some((e) => e !== null && e !== d)))
        throw new ShapeError(
          `Concatenate along axis ${p.axis} needs every other dimension equal, but dimension ${i} differs: ${list(ins)}.`,
        )
    }
    const joined = ins.map((s) => s[axis])
    const out = [...ins[0]!]
    out[axis] = joined.some((d) => d === null) ? null : (joined as number[]).reduce((a, b) => a + b, 0)
    return out
  },
  paramCount: () => 0,
})

export const Dot = defineLayer({
  className: 'Dot',
  category: 'Merge',
  doc: 'The dot product of two vectors per sample (their similarity, with normalize = cosine similarity).',
  inputs: 'many',
  params: {
    axes: int({ default: -1, doc: 'The axis to multiply and sum along in both inputs.' }),
    normalize: bool(false, 'Normalize both vectors first, giving the cosine similarity.'),
  },
  outputShape: (ins, p) => {
    if (ins.length !== 2) throw new ShapeError(`Dot takes exactly two inputs; received ${ins.length}.`)
    const [a, b] = ins as [Shape, Shape]
    if (a.length !== 2 || b.length !== 2)
      throw new ShapeError(
        `Dot here takes two vectors per sample (2D inputs such as (None, 16)); received ${list(ins)}.`,
      )
    if (p.axes !== -1 && p.axes !== 1)
      throw new ShapeError(`Dot on 2D inputs uses axes 1 (or -1); received ${p.axes}.`)
    if (a[1] !== null && b[1] !== null && a[1] !== b[1])
      throw new ShapeError(`Dot needs vectors of the same length; received ${list(ins)}.`)
    return [a[0] ?? null, 1]
  },
  paramCount: () => 0,
})
