import { showValue } from '../../shared/json-limits'
import { DatasetFileError } from './idx'
// The settings of each dataset's loading and preprocessing, declared once: the training panel draws
// them, the CLI prints them, and the loaders read them (with these defaults when a project has none).
import type { DatasetOption } from '../../shared/ipc/contract'
import type { LoadedDataset } from './builtins'

export const SCALE: DatasetOption = {
  key: 'scale',
  label: 'Scale pixels to [0, 1]',
  kind: 'boolean',
  default: true,
  help: 'Divide every pixel by 255 (x_train / 255 in Keras code). Off: pixels stay 0-255.',
}
export const FLATTEN: DatasetOption = {
  key: 'flatten',
  label: 'Flatten each image',
  kind: 'boolean',
  default: false,
  help: 'Give each image as one vector (28×28 → 784) instead of height × width (× channels).',
}
export const IMAGE_OPTIONS = [SCALE, FLATTEN]

/** The share of your own data held back as its test split (a CSV's rows, a folder's images). */
export const heldBackOption = (what: string): DatasetOption => ({
  key: 'test_split',
  label: 'Test split',
  kind: 'number',
  default: 0.2,
  min: 0,
  max: 0.9,
  help: `The share of ${what} (shuffled from the seed) held back as the test set.`,
})

const count = (d: number, max = 100_000): DatasetOption => ({
  key: 'count',
  label: 'Samples',
  kind: 'number',
  default: d,
  min: 4,
  max,
  integer: true,
  help: 'How many samples to generate.',
})
const noise = (d: number): DatasetOption => ({
  key: 'noise',
  label: 'Noise',
  kind: 'number',
  default: d,
  min: 0,
  max: 1,
  help: 'Standard deviation of the random noise added to each sample.',
})
const FILLED: DatasetOption = {
  key: 'filled',
  label: 'Filled share',
  kind: 'number',
  default: 0.25,
  min: 0,
  max: 1,
  help: 'The share of shapes drawn filled rather than as outlines.',
}
export const BUILTIN_OPTIONS: Record<string, DatasetOption[]> = {
  shapes: [count(1500, 20_000), noise(0.1), FILLED, FLATTEN],
  'shapes-measured': [count(1500, 20_000), noise(0.1), FILLED],
  spirals: [
    count(1000),
    noise(0.05),
    {
      key: 'arms',
      label: 'Arms',
      kind: 'number',
      default: 2,
      min: 2,
      max: 5,
      integer: true,
      help: 'How many spiral arms (classes).',
    },
  ],
  xor: [count(1000), noise(0.1)],
  moons: [count(1000), noise(0.1)],
  circles: [
    count(1000),
    noise(0.05),
    {
      key: 'factor',
      label: 'Inner radius',
      kind: 'number',
      default: 0.5,
      min: 0.05,
      max: 0.95,
      help: "The inner circle's radius as a share of the outer one's.",
    },
  ],
}

const testSplit: DatasetOption = {
  key: 'test_split',
  label: 'Test split',
  kind: 'number',
  default: 0.2,
  min: 0.05,
  max: 0.9,
  help: "The share Keras holds back as the test set (load_data's test_split); the rest is the training data.",
}
const TEXT: DatasetOption[] = [
  {
    key: 'num_words',
    label: 'Vocabulary (num_words)',
    kind: 'number',
    default: 10000,
    min: 10,
    max: 100_000,
    integer: true,
    help: 'Keep the most frequent words; rarer ones become the out-of-vocabulary index 2.',
  },
  {
    key: 'skip_top',
    label: 'Skip the most frequent (skip_top)',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1000,
    integer: true,
    help: 'Treat the N most frequent words as out-of-vocabulary too.',
  },
  {
    key: 'maxlen',
    label: 'Drop reviews longer than (maxlen)',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100_000,
    integer: true,
    help: 'As Keras does, sequences this long or longer are dropped. 0 keeps every sequence.',
  },
  {
    key: 'encoding',
    label: 'Encoding',
    kind: 'choice',
    default: 'padded',
    choices: [
      { value: 'padded', label: 'Word indices, padded (for Embedding)' },
      { value: 'multi_hot', label: 'Multi-hot vector of num_words (for Dense)' },
    ],
    help: 'Padded: each text is a row of word indices, cut or zero-padded at the front. Multi-hot: a 0/1 vector saying which words occur.',
  },
  {
    key: 'sequence_length',
    label: 'Sequence length',
    kind: 'number',
    default: 200,
    min: 1,
    max: 10_000,
    integer: true,
    help: 'Padded encoding: the length every sequence is padded or truncated to (pad_sequences).',
  },
]
export const KERAS_OPTIONS: Record<string, DatasetOption[]> = {
  mnist: IMAGE_OPTIONS,
  fashion_mnist: IMAGE_OPTIONS,
  cifar10: IMAGE_OPTIONS,
  cifar100: [
    ...IMAGE_OPTIONS,
    {
      key: 'label_mode',
      label: 'Labels',
      kind: 'choice',
      default: 'fine',
      choices: [
        { value: 'fine', label: 'fine (100 classes)' },
        { value: 'coarse', label: 'coarse (20 superclasses)' },
      ],
      help: 'load_data(label_mode=...): the 100 fine classes or their 20 superclasses.',
    },
  ],
  boston_housing: [
    {
      key: 'standardize',
      label: 'Standardize features',
      kind: 'boolean',
      default: true,
      help: "Subtract each feature's mean and divide by its standard deviation, both from the training rows.",
    },
    testSplit,
  ],
  imdb: TEXT,
  reuters: [...TEXT, testSplit],
}

export const defaultsOf = (options: DatasetOption[]): Record<string, number | boolean | string> =>
  Object.fromEntries(options.map((o) => [o.key, o.default]))

/**
 * A project's options, checked against the dataset's declared ones: unknown keys are dropped, a
 * wrong type or a number out of range gets a message naming the setting.
 */
export function checkOptions(
  id: string,
  declared: DatasetOption[],
  given: Record<string, unknown>,
): Record<string, number | boolean | string> {
  const out = defaultsOf(declared)
  for (const o of declared) {
    const v = given[o.key]
    if (v === undefined || v === null) continue
    const bad = (why: string) => new DatasetFileError(`The dataset "${id}" setting "${o.label}" ${why}.`)
    if (o.kind === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`must be a number, not ${showValue(v)}`)
      if ((o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max))
        throw bad(`must be between ${o.min} and ${o.max}, not ${v}`)
      if (o.integer && !Number.isInteger(v)) throw bad(`must be a whole number, not ${v}`)
    } else if (o.kind === 'boolean') {
      if (typeof v !== 'boolean') throw bad(`must be true or false, not ${showValue(v)}`)
    } else if (o.kind === 'text') {
      if (typeof v !== 'string') throw bad(`must be text, not ${showValue(v)}`)
    } else if (!o.choices?.some((c) => c.value === v))
      throw bad(`must be one of ${o.choices?.map((c) => c.value).join(', ')}, not ${showValue(v)}`)
    out[o.key] = v as number | boolean | string
  }
  return out
}

/**
 * Scaling and flattening for image datasets. The readers keep pixels as uint8 with an xScale of
 * 1/255 (Keras code's usual x / 255); "scale" off keeps 0-255.
 */
export function applyImageOptions(data: LoadedDataset, o: Record<string, unknown>): LoadedDataset {
  const shape = o.flatten === true ? [data.sampleShape.reduce((a, b) => a * b, 1)] : data.sampleShape
  return { ...data, xScale: o.scale === false ? 1 : data.xScale, sampleShape: shape }
}
