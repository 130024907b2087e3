// The activation functions as the decks write them, to draw beside the choice in the inspector: the
// function, the formula, and a sentence on what it is for. Values follow Keras 3's definitions.
import type { ACTIVATIONS } from './params'

export type ActivationName = (typeof ACTIVATIONS)[number]

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)))
const erf = (x: number) => {
  // Abramowitz and Stegun 7.1.26 (error below 1.5e-7): enough to draw GELU.
  const t = 1 / (1 + 0.3275911 * Math.abs(x))
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x)
  return x >= 0 ? y : -y
}
const SELU_ALPHA = 1.6732632423543772
const SELU_SCALE = 1.0507009873554805

export interface ActivationCurve {
  f: (x: number) => number
  formula: string
  note: string
}

export const ACTIVATION_CURVES: Record<ActivationName, ActivationCurve> = {
  linear: { f: (x) => x, formula: 'f(x) = x', note: 'No activation: the layer stays a linear map.' },
  relu: {
    f: (x) => Math.max(0, x),
    formula: 'f(x) = max(0, x)',
    note: 'Passes positive values, zeroes the rest; its gradient is 1 or 0, so deep nets train well.',
  },
  relu6: {
    f: (x) => Math.min(Math.max(0, x), 6),
    formula: 'f(x) = min(max(0, x), 6)',
    note: 'ReLU capped at 6.',
  },
  elu: {
    f: (x) => (x > 0 ? x : Math.expm1(x)),
    formula: 'f(x) = x if x > 0, else eˣ − 1',
    note: 'Like ReLU, but smooth and slightly negative below 0.',
  },
  selu: {
    f: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    formula: 'f(x) = λ·x if x > 0, else λ·α·(eˣ − 1)  (λ ≈ 1.0507, α ≈ 1.6733)',
    note: 'A scaled ELU that keeps activations normalized through deep Dense stacks.',
  },
  sigmoid: {
    f: sigmoid,
    formula: 'σ(x) = 1 / (1 + e⁻ˣ)',
    note: 'Squashes any value into (0, 1): a probability for a yes/no output. Its gradient is at most 0.25, so deep stacks of it vanish.',
  },
  hard_sigmoid: {
    f: (x) => Math.min(Math.max(0, x + 3), 6) / 6,
    formula: 'f(x) = relu6(x + 3) / 6',
    note: 'A cheap straight-line sigmoid.',
  },
  tanh: {
    f: Math.tanh,
    formula: 'tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)',
    note: 'Squashes into (−1, 1), centred on 0; the usual choice inside RNNs.',
  },
  softmax: {
    f: (x) => sigmoid(x),
    formula: 'softmax(x)ᵢ = eˣⁱ / Σⱼ eˣʲ',
    note: 'Turns a layer’s scores into probabilities that add up to 1, for the output of a classifier. Drawn: the first of two classes as its score moves, the other’s at 0.',
  },
  softplus: {
    f: softplus,
    formula: 'f(x) = ln(1 + eˣ)',
    note: 'A smooth ReLU: its gradient is the sigmoid.',
  },
  softsign: {
    f: (x) => x / (1 + Math.abs(x)),
    formula: 'f(x) = x / (1 + |x|)',
    note: 'Like tanh, flattening more slowly.',
  },
  swish: {
    f: (x) => x * sigmoid(x),
    formula: 'f(x) = x · σ(x)',
    note: 'Smooth, dips slightly below 0; often a little better than ReLU in deep nets.',
  },
  mish: {
    f: (x) => x * Math.tanh(softplus(x)),
    formula: 'f(x) = x · tanh(ln(1 + eˣ))',
    note: 'Smooth like swish.',
  },
  gelu: {
    f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
    formula: 'f(x) = x · Φ(x)  (Φ: the normal distribution’s CDF)',
    note: 'Weighs each value by how likely it is to be above the others; used in Transformers.',
  },
}

/**
 * Curves the decks teach that are not Keras activations, to compare a layer's activation with: the
 * perceptron's step, where the decks begin.
 */
export const TEACHING_CURVES: Record<'step', ActivationCurve> = {
  step: {
    f: (x) => (x >= 0 ? 1 : 0),
    formula: 'f(x) = 1 if x ≥ 0, else 0',
    note: "The perceptron's step: its slope is 0 everywhere but at 0, so gradient descent gets no signal through it. Keras has no step activation; sigmoid is its smooth stand-in.",
  },
}

/** The slope of `f` at x (central difference), for the derivative's curve. */
export const slope = (f: (x: number) => number, x: number, h = 1e-3) => (f(x + h) - f(x - h)) / (2 * h)
