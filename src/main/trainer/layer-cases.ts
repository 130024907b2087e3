// Every palette layer as a small model (Input → the layer), with the variants where shape math can
// go wrong: shared by the tfjs conformance test and the PyTorch export check.
import type { NetDocument, NetNode } from '../../shared/graph/schema'
import { ACTIVATIONS, type Params } from '../../shared/layers'
import { shapesDoc } from '../../shared/testing'

/** A case: the layer, its input shape, and for merge layers the shape of a second input. */
export type Case = [label: string, input: number[], className: string, params: Params, second?: number[]]

/** Table-driven cases: every layer at its defaults, plus the variants where shape math can go wrong. */
export const CASES: Case[] = [
  ['Dense', [6], 'Dense', { units: 5, activation: 'tanh' }],
  ['Dense on 3-D input', [4, 6], 'Dense', { units: 5, use_bias: false }],
  ...ACTIVATIONS.map((activation): Case => [
    `Activation ${activation}`,
    [4, 6],
    'Activation',
    { activation },
  ]),
  ['Dropout', [6], 'Dropout', { rate: 0.3 }],
  ['Flatten', [4, 6, 2], 'Flatten', {}],
  ['Reshape', [12], 'Reshape', { target_shape: [3, 4, 1] }],
  ['Permute', [3, 4], 'Permute', { dims: [2, 1] }],
  ['RepeatVector', [5], 'RepeatVector', { n: 3 }],
  ['Conv2D valid', [9, 9, 2], 'Conv2D', { filters: 4 }],
  ['Conv2D same stride 2', [9, 9, 2], 'Conv2D', { filters: 4, strides: [2, 2], padding: 'same' }],
  ['Conv2D valid stride 2 5x3', [10, 9, 2], 'Conv2D', { filters: 3, kernel_size: [5, 3], strides: [2, 2] }],
  ['Conv2D no bias', [9, 9, 1], 'Conv2D', { filters: 2, use_bias: false }],
  ['Conv2DTranspose valid', [4, 4, 3], 'Conv2DTranspose', { filters: 2 }],
  [
    'Conv2DTranspose same stride 2',
    [4, 5, 3],
    'Conv2DTranspose',
    { filters: 2, strides: [2, 2], padding: 'same' },
  ],
  ['SeparableConv2D', [8, 8, 3], 'SeparableConv2D', { filters: 5, depth_multiplier: 2 }],
  ['DepthwiseConv2D same', [8, 8, 3], 'DepthwiseConv2D', { depth_multiplier: 2, padding: 'same' }],
  ['Conv1D valid', [10, 3], 'Conv1D', { filters: 4 }],
  ['Conv1D same stride 2', [10, 3], 'Conv1D', { filters: 4, strides: [2], padding: 'same' }],
  ['MaxPooling2D', [9, 9, 2], 'MaxPooling2D', {}],
  [
    'MaxPooling2D same 3 stride 2',
    [9, 9, 2],
    'MaxPooling2D',
    { pool_size: [3, 3], strides: [2, 2], padding: 'same' },
  ],
  ['AveragePooling2D', [8, 6, 2], 'AveragePooling2D', { pool_size: [2, 3] }],
  ['MaxPooling1D', [9, 2], 'MaxPooling1D', {}],
  ['AveragePooling1D same', [9, 2], 'AveragePooling1D', { pool_size: [3], padding: 'same' }],
  ['GlobalMaxPooling1D', [9, 2], 'GlobalMaxPooling1D', {}],
  ['GlobalAveragePooling1D', [9, 2], 'GlobalAveragePooling1D', {}],
  ['GlobalMaxPooling2D', [5, 5, 3], 'GlobalMaxPooling2D', {}],
  ['GlobalAveragePooling2D', [5, 5, 3], 'GlobalAveragePooling2D', {}],
  ['UpSampling2D', [3, 4, 2], 'UpSampling2D', { size: [2, 3] }],
  ['ZeroPadding2D', [3, 4, 2], 'ZeroPadding2D', { padding: [1, 2] }],
  ['Cropping2D', [6, 7, 2], 'Cropping2D', { cropping: [1, 2] }],
  [
    'ZeroPadding2D uneven ((0, 1), (0, 1))',
    [3, 4, 2],
    'ZeroPadding2D',
    { padding: [0, 0], padding_after: [1, 1] },
  ],
  [
    'Cropping2D uneven ((1, 0), (0, 2))',
    [6, 7, 2],
    'Cropping2D',
    { cropping: [1, 0], cropping_after: [0, 2] },
  ],
  ['BatchNormalization', [4, 4, 3], 'BatchNormalization', {}],
  ['BatchNormalization on vectors', [5], 'BatchNormalization', { momentum: 0.9 }],
  ['LayerNormalization', [4, 6], 'LayerNormalization', {}],
  ['LayerNormalization on vectors', [6], 'LayerNormalization', { epsilon: 0.01 }],
  ['SpatialDropout1D', [6, 4], 'SpatialDropout1D', { rate: 0.2 }],
  ['GaussianNoise', [6], 'GaussianNoise', { stddev: 0.2 }],
  ['GaussianDropout', [6], 'GaussianDropout', { rate: 0.2 }],
  ['AlphaDropout', [6], 'AlphaDropout', { rate: 0.2 }],
  ['ReLU', [6], 'ReLU', {}],
  ['ReLU6 (max_value 6)', [4, 6], 'ReLU', { max_value: 6 }],
  [
    'ReLU max_value, negative_slope, threshold',
    [4, 6],
    'ReLU',
    { max_value: 1.5, negative_slope: 0.1, threshold: 0.2 },
  ],
  ['LeakyReLU', [6], 'LeakyReLU', { alpha: 0.1 }],
  ['PReLU', [3, 4], 'PReLU', {}],
  ['ELU', [6], 'ELU', {}],
  ['Softmax', [6], 'Softmax', {}],
  ['Embedding', [7], 'Embedding', { input_dim: 50, output_dim: 4 }],
  ['SimpleRNN', [5, 3], 'SimpleRNN', { units: 4 }],
  ['SimpleRNN sequences', [5, 3], 'SimpleRNN', { units: 4, return_sequences: true, activation: 'relu' }],
  ['LSTM', [5, 3], 'LSTM', { units: 4 }],
  ['LSTM sequences, no bias', [5, 3], 'LSTM', { units: 2, return_sequences: true, use_bias: false }],
  ['GRU', [5, 3], 'GRU', { units: 4 }],
  ['GRU reset_after (Keras default)', [5, 3], 'GRU', { units: 4, reset_after: true }],
  [
    'GRU reset_after, sequences, no bias',
    [5, 3],
    'GRU',
    { units: 3, reset_after: true, return_sequences: true, use_bias: false },
  ],
  ['Bidirectional LSTM', [5, 3], 'Bidirectional', { layer: 'LSTM', units: 4 }],
  [
    'Bidirectional GRU sum, sequences',
    [5, 3],
    'Bidirectional',
    { layer: 'GRU', units: 3, merge_mode: 'sum', return_sequences: true },
  ],
  ['Bidirectional SimpleRNN', [5, 3], 'Bidirectional', { layer: 'SimpleRNN', units: 2, merge_mode: 'ave' }],
  ['TimeDistributed', [5, 3], 'TimeDistributed', { units: 6, activation: 'relu' }],
  ['Add', [4, 3], 'Add', {}, [4, 3]],
  ['Subtract', [5], 'Subtract', {}, [5]],
  ['Multiply', [5], 'Multiply', {}, [5]],
  ['Average', [2, 2, 3], 'Average', {}, [2, 2, 3]],
  ['Maximum', [5], 'Maximum', {}, [5]],
  ['Minimum', [5], 'Minimum', {}, [5]],
  ['Concatenate last axis', [4, 3], 'Concatenate', {}, [4, 5]],
  ['Concatenate axis 1', [4, 3], 'Concatenate', { axis: 1 }, [2, 3]],
  ['Dot', [6], 'Dot', { axes: 1 }, [6]],
  ['Dot normalized', [6], 'Dot', { axes: 1, normalize: true }, [6]],
]

/**
 * Input → the layer. For the training step a Dense (same width) goes first, so that a layer without
 * weights still has gradients flowing through it.
 */
export function docFor(
  input: number[],
  className: string,
  params: Params,
  withDense = false,
  second?: number[],
): NetDocument {
  const shapes = second ? [input, second] : [input]
  const nodes: NetNode[] = [{ id: 'l', className, name: 'layer', params, position: { x: 0, y: 100 } }]
  const edges: NetDocument['edges'] = []
  // An Embedding reads word indices straight from an int32 Input (no Dense can come before it).
  const ints = className === 'Embedding'
  const pre = withDense && !ints
  shapes.forEach((shape, i) => {
    const inputParams = { shape, dtype: ints ? 'int32' : 'float32' }
    nodes.push({
      id: `in${i}`,
      className: 'InputLayer',
      name: `input_${i}`,
      params: inputParams,
      position: { x: 0, y: 0 },
    })
    if (pre) {
      const units = shape.at(-1)!
      nodes.push({
        id: `d${i}`,
        className: 'Dense',
        name: `pre_${i}`,
        params: { units },
        position: { x: 0, y: 0 },
      })
      edges.push({ id: `p${i}`, source: `in${i}`, target: `d${i}`, targetPort: 0 })
    }
    edges.push({ id: `e${i}`, source: pre ? `d${i}` : `in${i}`, target: 'l', targetPort: i })
  })
  return { ...shapesDoc(), style: second ? 'functional' : 'sequential', nodes, edges }
}
