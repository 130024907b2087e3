import { defineLayer, type LayerSpec } from './define'
import { ACTIVATIONS, bool, choice, int, tuple, type Params, type Shape } from './params'
import { convLength, deconvLength, expectRank, lastKnown, positive } from './shapeMath'

const n = (p: Params, k: string): number[] => p[k] as number[]
const activation = choice(
  ACTIVATIONS,
  'linear',
  'Function applied to each output (relu is the usual choice).',
)
const useBias = bool(true, 'Whether each filter adds a learned bias.')
const padding = choice(
  ['valid', 'same'],
  'valid',
  "'valid': no padding, the output shrinks; 'same': pad so the output keeps the input's size (at stride 1).",
)
// dilation_rate is left out on purpose: tfjs 4.22 cannot compute gradients of a dilated convolution
// ("dilation rates greater than 1 are not yet supported in gradients"), and 'causal' padding for
// Conv1D gives tfjs a wrong output length; a layer we show must train.
const NEED_4D = 'For 28×28 images, set the Input shape to [28, 28, 1] or add a Reshape.'

function spatial2d(name: string, x: Shape, p: Params, channels: number, transpose = false): Shape {
  const [b, h, w] = expectRank(name, x, 4, NEED_4D)
  const [kh, kw] = n(p, 'kernel_size') as [number, number]
  const [sh, sw] = n(p, 'strides') as [number, number]
  const pad = p.padding as string
  const out: Shape = transpose
    ? [b ?? null, deconvLength(h ?? null, kh, sh, pad), deconvLength(w ?? null, kw, sw, pad), channels]
    : [b ?? null, convLength(h ?? null, kh, sh, pad), convLength(w ?? null, kw, sw, pad), channels]
  return positive(name, out)
}

const kernel2d = tuple({ length: 2, default: [3, 3], doc: 'Height and width of the filter window.' })
const strides2d = tuple({
  length: 2,
  default: [1, 1],
  doc: 'How far the window moves each step (height, width).',
})
const filters = int({
  default: 32,
  min: 1,
  doc: 'How many filters: the number of output channels (feature maps).',
})

export const Conv2D: LayerSpec = defineLayer({
  className: 'Conv2D',
  category: 'Convolution',
  doc: 'Slides small learned filters over an image to detect features such as edges, producing feature maps.',
  inputs: 'one',
  params: {
    filters,
    kernel_size: kernel2d,
    strides: strides2d,
    padding,
    activation,
    use_bias: useBias,
  },
  outputShape: ([x], p) => spatial2d('Conv2D', x!, p, p.filters as number),
  paramCount: ([x], p) => {
    const [kh, kw] = n(p, 'kernel_size') as [number, number]
    const f = p.filters as number
    return kh * kw * lastKnown('Conv2D', x!) * f + (p.use_bias ? f : 0)
  },
})

export const Conv2DTranspose: LayerSpec = defineLayer({
  className: 'Conv2DTranspose',
  category: 'Convolution',
  doc: 'The reverse of Conv2D: upsamples feature maps with learned filters (used in decoders and generators).',
  inputs: 'one',
  params: { filters, kernel_size: kernel2d, strides: strides2d, padding, activation, use_bias: useBias },
  outputShape: ([x], p) => spatial2d('Conv2DTranspose', x!, p, p.filters as number, true),
  paramCount: ([x], p) => {
    const [kh, kw] = n(p, 'kernel_size') as [number, number]
    const f = p.filters as number
    return kh * kw * lastKnown('Conv2DTranspose', x!) * f + (p.use_bias ? f : 0)
  },
})

const depthMultiplier = int({ default: 1, min: 1, doc: 'How many output channels each input channel gets.' })

export const DepthwiseConv2D: LayerSpec = defineLayer({
  className: 'DepthwiseConv2D',
  category: 'Convolution',
  doc: 'Filters each input channel on its own (no mixing between channels): far fewer parameters than Conv2D.',
  inputs: 'one',
  params: {
    kernel_size: kernel2d,
    strides: strides2d,
    padding,
    depth_multiplier: depthMultiplier,
    activation,
    use_bias: useBias,
  },
  outputShape: ([x], p) =>
    spatial2d('DepthwiseConv2D', x!, p, lastKnown('DepthwiseConv2D', x!) * (p.depth_multiplier as number)),
  paramCount: ([x], p) => {
    const [kh, kw] = n(p, 'kernel_size') as [number, number]
    const out = lastKnown('DepthwiseConv2D', x!) * (p.depth_multiplier as number)
    return kh * kw * out + (p.use_bias ? out : 0)
  },
})

export const SeparableConv2D: LayerSpec = defineLayer({
  className: 'SeparableConv2D',
  category: 'Convolution',
  doc: 'A depthwise convolution followed by a 1×1 convolution that mixes channels: Conv2D at a fraction of the cost.',
  inputs: 'one',
  params: {
    filters,
    kernel_size: kernel2d,
    strides: strides2d,
    padding,
    depth_multiplier: depthMultiplier,
    activation,
    use_bias: useBias,
  },
  outputShape: ([x], p) => spatial2d('SeparableConv2D', x!, p, p.filters as number),
  paramCount: ([x], p) => {
    const [kh, kw] = n(p, 'kernel_size') as [number, number]
    const c = lastKnown('SeparableConv2D', x!)
    const dm = p.depth_multiplier as number
    const f = p.filters as number
    return kh * kw * c * dm + c * dm * f + (p.use_bias ? f : 0)
  },
})

export const Conv1D: LayerSpec = defineLayer({
  className: 'Conv1D',
  category: 'Convolution',
  doc: 'Slides learned filters along a sequence (time steps, words, signal samples) to detect local patterns.',
  inputs: 'one',
  params: {
    filters,
    kernel_size: tuple({ length: 1, default: [3], doc: 'Length of the filter window.' }),
    strides: tuple({ length: 1, default: [1], doc: 'How far the window moves each step.' }),
    padding,
    activation,
    use_bias: useBias,
  },
  outputShape: ([x], p) => {
    const [b, steps] = expectRank(
      'Conv1D',
      x,
      3,
      'Sequences need a channels axis, e.g. Input shape [100, 1].',
    )
    const [k] = n(p, 'kernel_size') as [number]
    const [s] = n(p, 'strides') as [number]
    return positive('Conv1D', [
      b ?? null,
      convLength(steps ?? null, k, s, p.padding as string),
      p.filters as number,
    ])
  },
  paramCount: ([x], p) => {
    const [k] = n(p, 'kernel_size') as [number]
    const f = p.filters as number
    return k * lastKnown('Conv1D', x!) * f + (p.use_bias ? f : 0)
  },
})
