import { defineLayer, type LayerSpec } from './define'
import { choice, tuple, type Params, type Shape } from './params'
import { convLength, expectRank, lastKnown, positive } from './shapeMath'

const padding = choice(
  ['valid', 'same'],
  'valid',
  "'valid': drop what does not fit a full window; 'same': pad so every input is covered.",
)

function pool2d(className: string, doc: string): LayerSpec {
  return defineLayer({
    className,
    category: 'Pooling',
    doc,
    inputs: 'one',
    params: {
      pool_size: tuple({ length: 2, default: [2, 2], doc: 'Height and width of the pooling window.' }),
      strides: tuple({
        length: 2,
        default: null,
        nullable: true,
        doc: 'How far the window moves; empty means the pool size.',
      }),
      padding,
    },
    outputShape: ([x], p: Params): Shape => {
      const [b, h, w, c] = expectRank(className, x, 4, 'Pooling works on feature maps, e.g. after a Conv2D.')
      const [ph, pw] = p.pool_size as [number, number]
      const [sh, sw] = (p.strides as [number, number] | null) ?? [ph, pw]
      const pad = p.padding as string
      return positive(className, [
        b ?? null,
        convLength(h ?? null, ph, sh, pad),
        convLength(w ?? null, pw, sw, pad),
        c ?? null,
      ])
    },
    paramCount: () => 0,
  })
}

function pool1d(className: string, doc: string): LayerSpec {
  return defineLayer({
    className,
    category: 'Pooling',
    doc,
    inputs: 'one',
    params: {
      pool_size: tuple({ length: 1, default: [2], doc: 'Length of the pooling window.' }),
      strides: tuple({
        length: 1,
        default: null,
        nullable: true,
        doc: 'How far the window moves; empty means the pool size.',
      }),
      padding,
    },
    outputShape: ([x], p: Params): Shape => {
      const [b, steps, c] = expectRank(className, x, 3)
      const [k] = p.pool_size as [number]
      const [s] = (p.strides as [number] | null) ?? [k]
      return positive(className, [b ?? null, convLength(steps ?? null, k, s, p.padding as string), c ?? null])
    },
    paramCount: () => 0,
  })
}

function globalPool(className: string, rank: 3 | 4, doc: string): LayerSpec {
  return defineLayer({
    className,
    category: 'Pooling',
    doc,
    inputs: 'one',
    params: {},
    outputShape: ([x]) => {
      const v = expectRank(className, x, rank)
      return [v[0] ?? null, lastKnown(className, v)]
    },
    paramCount: () => 0,
  })
}

export const MaxPooling2D = pool2d(
  'MaxPooling2D',
  'Keeps the largest value in each window: halves the image size with the default 2×2 pool.',
)
export const AveragePooling2D = pool2d(
  'AveragePooling2D',
  'Keeps the average of each window: a smoother way to shrink feature maps.',
)
export const MaxPooling1D = pool1d('MaxPooling1D', 'Keeps the largest value in each window along a sequence.')
export const AveragePooling1D = pool1d(
  'AveragePooling1D',
  'Keeps the average of each window along a sequence.',
)
export const GlobalMaxPooling2D = globalPool(
  'GlobalMaxPooling2D',
  4,
  'The largest value of each feature map: one number per channel.',
)
export const GlobalAveragePooling2D = globalPool(
  'GlobalAveragePooling2D',
  4,
  'The average of each feature map: one number per channel (instead of Flatten).',
)
export const GlobalMaxPooling1D = globalPool(
  'GlobalMaxPooling1D',
  3,
  'The largest value over all steps: one number per channel.',
)
export const GlobalAveragePooling1D = globalPool(
  'GlobalAveragePooling1D',
  3,
  'The average over all steps: one number per channel.',
)
