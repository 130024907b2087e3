import { defineLayer } from './define'
import { float, int } from './params'

const same = { outputShape: ([x]: (number | null)[][]) => x!, paramCount: () => 0, inputs: 'one' as const }

export const ReLU = defineLayer({
  className: 'ReLU',
  category: 'Activation',
  doc: 'Keeps positive values and turns negative ones into 0 (with max_value 6: ReLU6, as in MobileNetV2).',
  params: {
    max_value: float({
      default: null,
      min: 0,
      nullable: true,
      doc: 'The largest output (6 for ReLU6); empty for no limit.',
    }),
    negative_slope: float({
      default: 0,
      min: 0,
      doc: 'The slope below the threshold (0: flat, as plain ReLU).',
    }),
    threshold: float({ default: 0, doc: 'Values at or below it are treated as negative.' }),
  },
  ...same,
})

export const LeakyReLU = defineLayer({
  className: 'LeakyReLU',
  category: 'Activation',
  doc: 'Like ReLU, but negative values keep a small slope instead of becoming 0.',
  params: { alpha: float({ default: 0.3, min: 0, doc: 'The slope for negative values.' }) },
  ...same,
})

export const ELU = defineLayer({
  className: 'ELU',
  category: 'Activation',
  doc: 'Like ReLU, but negative values curve smoothly towards -alpha.',
  params: { alpha: float({ default: 1, min: 0, doc: 'The value negative inputs approach.' }) },
  ...same,
})

// ThresholdedReLU is left out: tfjs 4.22 has no gradient for its Greater op, so it cannot train.

export const Softmax = defineLayer({
  className: 'Softmax',
  category: 'Activation',
  doc: 'Turns scores into probabilities that add up to 1 (for the output of a classifier).',
  params: { axis: int({ default: -1, doc: 'The axis to normalize over (-1: the last).' }) },
  ...same,
})
