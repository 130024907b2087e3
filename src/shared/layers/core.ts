import { defineLayer, ShapeError, shapeText } from './define'
import { ACTIVATIONS, bool, choice, float, int, shape } from './params'

export const Input = defineLayer({
  className: 'InputLayer',
  category: 'Core',
  doc: 'Where data enters the model; its shape is one sample without the batch, e.g. [28, 28] for an image.',
  inputs: 'none',
  params: {
    shape: shape([28, 28], 'The shape of one sample, without the batch dimension.'),
    dtype: choice(
      ['float32', 'int32'],
      'float32',
      "'float32' for numbers such as pixels; 'int32' for word indices fed to an Embedding.",
    ),
  },
  outputShape: (_in, p) => [null, ...(p.shape as number[])],
  paramCount: () => 0,
  kerasConfig: (p) => ({
    batch_input_shape: [null, ...(p.shape as number[])],
    dtype: p.dtype,
    sparse: false,
  }),
})

export const Dense = defineLayer({
  className: 'Dense',
  category: 'Core',
  doc: 'A fully connected layer: every output unit sees every input value.',
  inputs: 'one',
  params: {
    units: int({ default: 32, min: 1, doc: 'Size of the output space: how many neurons this layer has.' }),
    activation: choice(ACTIVATIONS, 'linear', 'Function applied to each output (relu, softmax, ...).'),
    use_bias: bool(true, 'Whether each unit adds a learned bias.'),
  },
  outputShape: ([x], p) => {
    const last = x?.at(-1)
    if (!x || x.length < 2 || last === null || last === undefined)
      throw new ShapeError(
        `Dense expects a 2D+ input with a known last dimension; received ${shapeText(x ?? [])}`,
      )
    if (x.length > 2)
      // Keras applies Dense to the last axis; say so, because learners usually meant to Flatten first.
      return [...x.slice(0, -1), p.units as number]
    return [x[0] ?? null, p.units as number]
  },
  paramCount: ([x], p) =>
    (x!.at(-1) as number) * (p.units as number) + (p.use_bias ? (p.units as number) : 0),
  kerasConfig: (p) => ({
    units: p.units,
    activation: p.activation,
    use_bias: p.use_bias,
    kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} },
  }),
})

export const Activation = defineLayer({
  className: 'Activation',
  category: 'Core',
  doc: 'Applies an activation function to every value; the shape does not change.',
  inputs: 'one',
  params: { activation: choice(ACTIVATIONS, 'relu', 'The function to apply.') },
  outputShape: ([x]) => x!,
  paramCount: () => 0,
})

export const Dropout = defineLayer({
  className: 'Dropout',
  category: 'Normalization and regularization',
  doc: 'During training, sets a random fraction of values to 0 so the model cannot rely on any single one.',
  inputs: 'one',
  params: {
    rate: float({
      default: 0.5,
      min: 0,
      max: 1,
      maxExclusive: true,
      doc: 'Fraction of the inputs to drop (0 to 1).',
    }),
  },
  outputShape: ([x]) => x!,
  paramCount: () => 0,
})

export const Flatten = defineLayer({
  className: 'Flatten',
  category: 'Core',
  doc: 'Unrolls each sample into one long vector, e.g. 28×28 pixels into 784 values.',
  inputs: 'one',
  params: {},
  outputShape: ([x]) => {
    const rest = x!.slice(1)
    // tfjs (which trains it) refuses a Flatten of one-dimensional samples: there is nothing to unroll.
    if (rest.length < 2)
      throw new ShapeError(
        `Flatten unrolls samples with two or more dimensions, but it receives ${shapeText(x!)}: each sample is already a vector. Remove the Flatten.`,
      )
    if (rest.some((d) => d === null))
      throw new ShapeError(
        `Flatten needs every dimension but the batch to be known; received ${shapeText(x!)}`,
      )
    return [x![0] ?? null, rest.reduce<number>((a, d) => a * (d as number), 1)]
  },
  paramCount: () => 0,
})
