import { ShapeError, shapeText } from './define'
import type { Shape } from './params'

/** One spatial output size of a convolution or pooling window (Keras's conv_output_length). */
export function convLength(
  size: number | null,
  kernel: number,
  stride: number,
  padding: string,
  dilation = 1,
): number | null {
  if (size === null) return null
  const k = (kernel - 1) * dilation + 1
  switch (padding) {
    case 'same':
    case 'causal':
      return Math.ceil(size / stride)
    default:
      return Math.floor((size - k) / stride) + 1
  }
}

/** One spatial output size of a transposed convolution (Keras's deconv_output_length, no output_padding). */
export function deconvLength(
  size: number | null,
  kernel: number,
  stride: number,
  padding: string,
): number | null {
  if (size === null) return null
  return padding === 'same' ? size * stride : size * stride + Math.max(kernel - stride, 0)
}

const RANK_HINT: Record<number, string> = {
  3: '(batch, steps, channels)',
  4: '(batch, height, width, channels)',
}

/** Checks an input's rank, explaining what was expected in the words a learner needs. */
export function expectRank(layer: string, x: Shape | undefined, rank: number, hint = ''): Shape {
  if (!x || x.length !== rank)
    throw new ShapeError(
      `${layer} expects a ${rank}D input ${RANK_HINT[rank] ?? ''}; received ${shapeText(x ?? [])}.${hint ? ' ' + hint : ''}`.replace(
        '  ',
        ' ',
      ),
    )
  return x
}

/** Refuses a computed shape with a size of zero or less, saying why. */
export function positive(layer: string, out: Shape): Shape {
  if (out.some((d) => d !== null && d <= 0))
    throw new ShapeError(
      `${layer} would output ${shapeText(out)}: a size of 0 or less. The input is too small for this kernel, pool or stride; use padding 'same', a smaller kernel or a smaller stride.`,
    )
  return out
}

/** The last dimension, which must be known (channels, features). */
export function lastKnown(layer: string, x: Shape): number {
  const c = x.at(-1)
  if (c === null || c === undefined)
    throw new ShapeError(`${layer} needs a known last dimension; received ${shapeText(x)}`)
  return c
}

export const product = (dims: (number | null)[]): number | null =>
  dims.some((d) => d === null) ? null : (dims as number[]).reduce((a, b) => a * b, 1)
