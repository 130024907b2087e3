import { defineLayer, ShapeError, shapeText, type LayerSpec } from './define'
import { ACTIVATIONS, bool, choice, int, type Params, type Shape } from './params'
import { lastKnown } from './shapeMath'

const RNN_HINT =
  'An RNN reads sequences of shape (steps, features): start from an Embedding, or give the Input a shape such as [28, 28] (28 steps of 28 values).'

function sequence(layer: string, x: Shape | undefined): Shape {
  if (!x || x.length !== 3)
    throw new ShapeError(
      `${layer} expects a 3D input (batch, steps, features); received ${shapeText(x ?? [])}. ${RNN_HINT}`,
    )
  return x
}

type Cell = 'SimpleRNN' | 'LSTM' | 'GRU'
/** Weights per gate: SimpleRNN has one, LSTM four, GRU three. */
const GATES: Record<Cell, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 }

/**
 * Parameters of one recurrent layer. A GRU with reset_after (Keras's default since 2.x) has two bias
 * vectors per gate, one for the input and one for the recurrent product; without it, one.
 */
export const rnnParams = (
  cell: Cell,
  features: number,
  units: number,
  bias: boolean,
  resetAfter = false,
): number => GATES[cell] * units * (units + features + (bias ? (resetAfter ? 2 : 1) : 0))

const rnnOut = (x: Shape, units: number, sequences: boolean): Shape =>
  sequences ? [x[0] ?? null, x[1] ?? null, units] : [x[0] ?? null, units]

function rnn(className: Cell, doc: string): LayerSpec {
  return defineLayer({
    className,
    category: 'Recurrent and text',
    doc,
    inputs: 'one',
    params: {
      units: int({ default: 32, min: 1, doc: 'Size of the hidden state: how much the layer remembers.' }),
      activation: choice(ACTIVATIONS, 'tanh', 'Activation of the state (tanh is the usual choice).'),
      use_bias: bool(true, 'Whether each gate adds a learned bias.'),
      return_sequences: bool(false, 'Output every step (to stack another RNN), or only the last one.'),
      ...(className === 'GRU'
        ? {
            reset_after: bool(
              false,
              "Apply the reset gate after the recurrent product, with separate input and recurrent biases (Keras's default since 2.x; off: Keras 1's GRU, and Netwright's before it had both).",
            ),
          }
        : {}),
    },
    ...(className === 'GRU' ? { createParams: { reset_after: true } } : {}),
    outputShape: ([x], p) => rnnOut(sequence(className, x), p.units as number, p.return_sequences as boolean),
    paramCount: ([x], p) =>
      rnnParams(
        className,
        lastKnown(className, x!),
        p.units as number,
        p.use_bias as boolean,
        p.reset_after === true,
      ),
    // Keras's recurrent_activation is sigmoid; tfjs's default is hard_sigmoid, so it is always written.
    kerasConfig: (p) => ({
      ...p,
      ...(className === 'SimpleRNN' ? {} : { recurrent_activation: 'sigmoid' }),
      ...(className === 'GRU' ? { reset_after: p.reset_after === true } : {}),
    }),
  })
}

export const SimpleRNN = rnn(
  'SimpleRNN',
  'The simplest recurrent layer: reads a sequence step by step, carrying a state.',
)
export const LSTM = rnn(
  'LSTM',
  'Long short-term memory: a recurrent layer with gates that let it remember over long sequences.',
)
export const GRU = rnn(
  'GRU',
  'Gated recurrent unit: like an LSTM with fewer gates, often just as good and faster.',
)

export const Embedding = defineLayer({
  className: 'Embedding',
  category: 'Recurrent and text',
  doc: 'Turns word indices into learned vectors: each of input_dim words gets output_dim numbers.',
  inputs: 'one',
  params: {
    input_dim: int({
      default: 10000,
      min: 1,
      doc: 'Vocabulary size: word indices go from 0 to input_dim - 1.',
    }),
    output_dim: int({ default: 64, min: 1, doc: 'Length of each word vector.' }),
    mask_zero: bool(
      false,
      'Treat index 0 as padding: the recurrent layer reading it skips those steps (input_dim must leave room for it).',
    ),
  },
  // Float word indices (how Keras 2 files declare the Input) are cast to whole numbers, as Keras does.
  outputShape: ([x], p) => {
    if (!x || x.length !== 2)
      throw new ShapeError(
        `Embedding expects a 2D input (batch, sequence length) of word indices; received ${shapeText(x ?? [])}.`,
      )
    return [x[0] ?? null, x[1] ?? null, p.output_dim as number]
  },
  paramCount: (_x, p) => (p.input_dim as number) * (p.output_dim as number),
})

export const Bidirectional = defineLayer({
  className: 'Bidirectional',
  category: 'Recurrent and text',
  doc: 'Runs a recurrent layer over the sequence forwards and backwards and joins both results.',
  inputs: 'one',
  params: {
    layer: choice(['LSTM', 'GRU', 'SimpleRNN'], 'LSTM', 'The recurrent layer it wraps.'),
    units: int({ default: 32, min: 1, doc: 'Size of the hidden state of each direction.' }),
    return_sequences: bool(false, 'Output every step, or only the last one.'),
    merge_mode: choice(
      ['concat', 'sum', 'mul', 'ave'],
      'concat',
      'How the two directions are joined (concat doubles the size).',
    ),
  },
  outputShape: ([x], p) => {
    const units = (p.units as number) * (p.merge_mode === 'concat' ? 2 : 1)
    return rnnOut(sequence('Bidirectional', x), units, p.return_sequences as boolean)
  },
  paramCount: ([x], p) =>
    2 * rnnParams(p.layer as Cell, lastKnown('Bidirectional', x!), p.units as number, true),
  kerasConfig: (p: Params) => ({
    layer: {
      class_name: p.layer,
      config: {
        name: (p.layer as string).toLowerCase(),
        units: p.units,
        return_sequences: p.return_sequences,
        activation: 'tanh',
        use_bias: true,
        ...(p.layer === 'SimpleRNN' ? {} : { recurrent_activation: 'sigmoid' }),
        ...(p.layer === 'GRU' ? { reset_after: false } : {}),
      },
    },
    merge_mode: p.merge_mode,
  }),
})

export const TimeDistributed = defineLayer({
  className: 'TimeDistributed',
  category: 'Recurrent and text',
  doc: 'Applies the same Dense layer to every step of a sequence.',
  inputs: 'one',
  params: {
    units: int({ default: 32, min: 1, doc: 'Units of the Dense layer applied at each step.' }),
    activation: choice(ACTIVATIONS, 'linear', 'Activation of that Dense layer.'),
  },
  outputShape: ([x], p) => {
    const s = sequence('TimeDistributed', x)
    return [s[0] ?? null, s[1] ?? null, p.units as number]
  },
  paramCount: ([x], p) => (lastKnown('TimeDistributed', x!) + 1) * (p.units as number),
  kerasConfig: (p) => ({
    layer: {
      class_name: 'Dense',
      config: { name: 'dense', units: p.units, activation: p.activation, use_bias: true },
    },
  }),
})
