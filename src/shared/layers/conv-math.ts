// The output size of a convolution or pooling window along one axis, as Keras computes it, with the
// arithmetic written out for the inspector's convolution view (the decks' 6 × 6 example).

export interface WindowStep {
  input: number
  kernel: number
  stride: number
  padding: 'valid' | 'same'
  output: number
  /** The zeros added on each side ('same'): before, after. */
  pad: [number, number]
  /** `⌊(28 − 3) / 1⌋ + 1 = 26`, or for same, `⌈28 / 1⌉ = 28`. */
  sum: string
}

export function windowStep(
  input: number,
  kernel: number,
  stride: number,
  padding: 'valid' | 'same',
): WindowStep {
  if (padding === 'same') {
    const output = Math.ceil(input / stride)
    const total = Math.max(0, (output - 1) * stride + kernel - input)
    const before = Math.floor(total / 2)
    return {
      input,
      kernel,
      stride,
      padding,
      output,
      pad: [before, total - before],
      sum: `⌈${input} / ${stride}⌉ = ${output}`,
    }
  }
  const output = Math.max(0, Math.floor((input - kernel) / stride) + 1)
  return {
    input,
    kernel,
    stride,
    padding,
    output,
    pad: [0, 0],
    sum: `⌊(${input} − ${kernel}) / ${stride}⌋ + 1 = ${output}`,
  }
}
