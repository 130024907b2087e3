import { defineLayer } from './define'
import { float, type Shape } from './params'
import { expectRank, lastKnown, product } from './shapeMath'

const same = ([x]: Shape[]): Shape => x!

export const BatchNormalization = defineLayer({
  className: 'BatchNormalization',
  category: 'Normalization and regularization',
  doc: 'Re-centres and re-scales each channel over the batch, which makes deep networks train faster and steadier.',
  inputs: 'one',
  params: {
    momentum: float({
      default: 0.99,
      min: 0,
      max: 1,
      doc: 'How slowly the running mean and variance follow new batches.',
    }),
    epsilon: float({
      default: 0.001,
      min: 0,
      doc: 'A small number added to the variance to avoid dividing by zero.',
    }),
  },
  outputShape: same,
  // gamma and beta train; the moving mean and variance are updated, not trained. center and scale
  // stay on: tfjs 4.22 fails to train a BatchNormalization without them.
  paramCount: ([x]) => lastKnown('BatchNormalization', x!) * 4,
  nonTrainableCount: ([x]) => 2 * lastKnown('BatchNormalization', x!),
  kerasConfig: (p) => ({ axis: -1, center: true, scale: true, ...p }),
})

export const LayerNormalization = defineLayer({
  className: 'LayerNormalization',
  category: 'Normalization and regularization',
  doc: 'Normalizes each sample over its features (not over the batch); common in sequence models.',
  inputs: 'one',
  params: {
    epsilon: float({
      default: 0.001,
      min: 0,
      doc: 'A small number added to the variance to avoid dividing by zero.',
    }),
  },
  outputShape: same,
  // center and scale stay on, as for BatchNormalization (tfjs cannot train without them).
  paramCount: ([x]) => lastKnown('LayerNormalization', x!) * 2,
  kerasConfig: (p) => ({ axis: -1, center: true, scale: true, ...p }),
})

const rate = (doc: string) => float({ default: 0.1, min: 0, max: 1, maxExclusive: true, doc })

export const SpatialDropout1D = defineLayer({
  className: 'SpatialDropout1D',
  category: 'Normalization and regularization',
  doc: 'Dropout that drops whole channels of a sequence rather than single values.',
  inputs: 'one',
  params: { rate: rate('Fraction of the channels to drop (0 to 1).') },
  outputShape: ([x]) => expectRank('SpatialDropout1D', x, 3),
  paramCount: () => 0,
})

export const GaussianNoise = defineLayer({
  className: 'GaussianNoise',
  category: 'Normalization and regularization',
  doc: 'During training, adds random noise to every value, so the model learns to ignore small changes.',
  inputs: 'one',
  params: { stddev: float({ default: 0.1, min: 0, doc: 'Standard deviation of the noise.' }) },
  outputShape: same,
  paramCount: () => 0,
})

export const GaussianDropout = defineLayer({
  className: 'GaussianDropout',
  category: 'Normalization and regularization',
  doc: 'During training, multiplies every value by random noise centred on 1.',
  inputs: 'one',
  params: { rate: rate('Drop probability, as in Dropout; the noise has variance rate / (1 - rate).') },
  outputShape: same,
  paramCount: () => 0,
})

export const AlphaDropout = defineLayer({
  className: 'AlphaDropout',
  category: 'Normalization and regularization',
  doc: 'Dropout that keeps the mean and variance of its inputs; use it with selu activations.',
  inputs: 'one',
  params: { rate: rate('Fraction of the inputs to drop (0 to 1).') },
  outputShape: same,
  paramCount: () => 0,
})

export const PReLU = defineLayer({
  className: 'PReLU',
  category: 'Activation',
  doc: 'Like LeakyReLU, but the slope for negative values is learned, one per value.',
  inputs: 'one',
  params: {},
  outputShape: same,
  paramCount: ([x]) => product(x!.slice(1)) ?? 0,
})
