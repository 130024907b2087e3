import { defineLayer, ShapeError, shapeText } from './define'
import { int, shape, tuple } from './params'
import { expectRank, positive, product } from './shapeMath'

export const Reshape = defineLayer({
  className: 'Reshape',
  category: 'Core',
  doc: 'Gives each sample a new shape with the same number of values, e.g. 784 → [28, 28, 1].',
  inputs: 'one',
  params: { target_shape: shape([28, 28, 1], 'The new shape of one sample, without the batch.') },
  outputShape: ([x], p) => {
    const target = p.target_shape as number[]
    const have = product(x!.slice(1))
    const want = target.reduce((a, b) => a * b, 1)
    if (have !== null && have !== want)
      throw new ShapeError(
        `Reshape cannot turn ${shapeText(x!)} (${have} values per sample) into [${target.join(', ')}] (${want} values).`,
      )
    return [x![0] ?? null, ...target]
  },
  paramCount: () => 0,
})

export const Permute = defineLayer({
  className: 'Permute',
  category: 'Core',
  doc: 'Reorders the axes of each sample; dims counts from 1 (the batch axis stays first).',
  inputs: 'one',
  params: {
    dims: shape([2, 1], 'The new order of the axes, starting at 1, e.g. [2, 1] swaps the first two.'),
  },
  outputShape: ([x], p) => {
    const dims = p.dims as number[]
    const rest = x!.slice(1)
    const sorted = [...dims].sort((a, b) => a - b)
    if (dims.length !== rest.length || sorted.some((d, i) => d !== i + 1))
      throw new ShapeError(
        `Permute dims must order the axes 1..${rest.length} of ${shapeText(x!)}; received [${dims.join(', ')}].`,
      )
    return [x![0] ?? null, ...dims.map((d) => rest[d - 1] ?? null)]
  },
  paramCount: () => 0,
})

export const RepeatVector = defineLayer({
  className: 'RepeatVector',
  category: 'Core',
  doc: 'Repeats a vector n times, turning [features] into [n, features] (e.g. to feed a decoder RNN).',
  inputs: 'one',
  params: { n: int({ default: 3, min: 1, doc: 'How many times to repeat.' }) },
  outputShape: ([x], p) => {
    const [b, f] = expectRank('RepeatVector', x, 2)
    return [b ?? null, p.n as number, f ?? null]
  },
  paramCount: () => 0,
})

export const UpSampling2D = defineLayer({
  className: 'UpSampling2D',
  category: 'Reshaping',
  doc: 'Enlarges feature maps by repeating rows and columns.',
  inputs: 'one',
  params: { size: tuple({ length: 2, default: [2, 2], doc: 'How many times to repeat rows and columns.' }) },
  outputShape: ([x], p) => {
    const [b, h, w, c] = expectRank('UpSampling2D', x, 4)
    const [sh, sw] = p.size as [number, number]
    return [b ?? null, h == null ? null : h * sh, w == null ? null : w * sw, c ?? null]
  },
  paramCount: () => 0,
})

/** Keras's ((top, bottom), (left, right)) from the top/left pair and the bottom/right one (null: the same). */
function sides(first: unknown, after: unknown): [[number, number], [number, number]] {
  const [t, l] = first as [number, number]
  const [b, r] = (after as [number, number] | null) ?? [t, l]
  return [
    [t, b],
    [l, r],
  ]
}

export const ZeroPadding2D = defineLayer({
  className: 'ZeroPadding2D',
  category: 'Reshaping',
  doc: 'Adds rows and columns of zeros around each feature map.',
  inputs: 'one',
  params: {
    padding: tuple({
      length: 2,
      min: 0,
      default: [1, 1],
      doc: 'Rows of zeros at the top (and bottom), columns at the left (and right).',
    }),
    padding_after: tuple({
      length: 2,
      min: 0,
      default: null,
      nullable: true,
      doc: 'Rows at the bottom and columns at the right, where they differ from the top and left ((0, 1), (0, 1) in Keras: 0, 0 above and 1, 1 here); empty: the same.',
    }),
  },
  outputShape: ([x], p) => {
    const [b, h, w, c] = expectRank('ZeroPadding2D', x, 4)
    const [[t, bo], [l, r]] = sides(p.padding, p.padding_after)
    return [b ?? null, h == null ? null : h + t + bo, w == null ? null : w + l + r, c ?? null]
  },
  paramCount: () => 0,
  kerasConfig: (p) => ({ padding: sides(p.padding, p.padding_after), data_format: 'channels_last' }),
})

export const Cropping2D = defineLayer({
  className: 'Cropping2D',
  category: 'Reshaping',
  doc: 'Cuts rows and columns off the edges of each feature map.',
  inputs: 'one',
  params: {
    cropping: tuple({
      length: 2,
      min: 0,
      default: [1, 1],
      doc: 'Rows cut at the top (and bottom), columns at the left (and right).',
    }),
    cropping_after: tuple({
      length: 2,
      min: 0,
      default: null,
      nullable: true,
      doc: 'Rows cut at the bottom and columns at the right, where they differ from the top and left; empty: the same.',
    }),
  },
  outputShape: ([x], p) => {
    const [b, h, w, c] = expectRank('Cropping2D', x, 4)
    const [[t, bo], [l, r]] = sides(p.cropping, p.cropping_after)
    return positive('Cropping2D', [
      b ?? null,
      h == null ? null : h - t - bo,
      w == null ? null : w - l - r,
      c ?? null,
    ])
  },
  paramCount: () => 0,
  kerasConfig: (p) => ({ cropping: sides(p.cropping, p.cropping_after), data_format: 'channels_last' }),
})
