// The Python script's load_data(): a Keras dataset loaded and prepared as Netwright prepares it, or
// the arrays exported beside the script (.npz), each shaped for its Input.
import { zipSync } from 'fflate'
import type { LoadedDataset } from '../datasets/builtins'
import { writeNpy } from '../datasets/npy'
import { pyEscape, pyValue } from './quote'

/** How the script gets its data: a Keras dataset it loads itself, or the arrays exported beside it. */
export type PythonData =
  | { kind: 'keras'; id: string; options: Record<string, unknown> }
  | { kind: 'npz'; file: string; description: string }

export function dataCode(
  d: PythonData,
  inputShape: (number | null)[],
  inputDtype: string,
  more: (number | null)[][] = [],
): string[] {
  // A length the data sets (None) is kept as the data has it.
  const reshape = inputShape.includes(null)
    ? 'x'
    : `x.reshape((-1, ${inputShape.join(', ')}${inputShape.length === 1 ? ',' : ''}))`
  const cast = inputDtype === 'int32' ? '.astype("int32")' : '.astype("float32")'
  if (d.kind === 'npz')
    return [
      'def load_data():',
      `    """${pyEscape(d.description)}"""`,
      `    data = np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), ${pyValue(d.file)}))`,
      '    x = data["x_train"] * float(data["x_scale"])',
      `    x_train = ${reshape}${cast}`,
      ...(more.length
        ? [
            "    # The further inputs, one array per Input after the first, in the model's order.",
            `    x_train = [x_train, ${more.map((shape, k) => `data["x${k + 2}_train"].reshape((-1, ${shape.join(', ')}${shape.length === 1 ? ',' : ''})).astype("float32")`).join(', ')}]`,
          ]
        : []),
      '    if "x_test" not in data:',
      '        return (x_train, data["y_train"]), None',
      '    # The test split (held-back rows, or samples generated apart), encoded as the training rows are.',
      '    x = data["x_test"] * float(data["x_scale"])',
      `    x_test = ${reshape}${cast}`,
      ...(more.length
        ? [
            `    x_test = [x_test, ${more.map((shape, k) => `data["x${k + 2}_test"].reshape((-1, ${shape.join(', ')}${shape.length === 1 ? ',' : ''})).astype("float32")`).join(', ')}]`,
          ]
        : []),
      '    return (x_train, data["y_train"]), (x_test, data["y_test"])',
    ]
  const o = d.options
  switch (d.id) {
    case 'mnist':
    case 'fashion_mnist':
    case 'cifar10':
    case 'cifar100': {
      const args = d.id === 'cifar100' ? `label_mode=${pyValue(o.label_mode ?? 'fine')}` : ''
      const scale = o.scale === false ? '' : ' / 255.0'
      return [
        'def load_data():',
        `    """keras.datasets.${d.id}${o.scale === false ? ', pixels kept 0-255' : ', pixels scaled to [0, 1]'}, each sample shaped for the Input."""`,
        `    (x_train, y_train), (x_test, y_test) = keras.datasets.${d.id}.load_data(${args})`,
        '',
        '    def prepare(x):',
        `        x = x.astype("float32")${scale}`,
        `        return ${reshape}`,
        '',
        '    return (prepare(x_train), y_train.reshape(-1)), (prepare(x_test), y_test.reshape(-1))',
      ]
    }
    case 'boston_housing':
      return [
        'def load_data():',
        '    """keras.datasets.boston_housing, split with its usual seed (113)."""',
        `    (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data(test_split=${pyValue(o.test_split ?? 0.2)}, seed=113)`,
        ...(o.standardize === false
          ? []
          : [
              "    # Standardized with the training rows' statistics, as Netwright does.",
              '    mean, std = x_train.mean(axis=0), x_train.std(axis=0)',
              '    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std',
            ]),
        '    return (x_train.astype("float32"), y_train.astype("float32")), (x_test.astype("float32"), y_test.astype("float32"))',
      ]
    case 'imdb':
    case 'reuters': {
      const kw = [
        `num_words=${pyValue(o.num_words ?? 10000)}`,
        `skip_top=${pyValue(o.skip_top ?? 0)}`,
        `maxlen=${o.maxlen ? pyValue(o.maxlen) : 'None'}`,
        ...(d.id === 'reuters' ? [`test_split=${pyValue(o.test_split ?? 0.2)}`] : []),
      ].join(', ')
      const multiHot = o.encoding === 'multi_hot'
      return [
        'def load_data():',
        `    """keras.datasets.${d.id}: ${multiHot ? 'multi-hot vectors of num_words' : 'word indices padded at the front (pad_sequences)'}."""`,
        `    (x_train, y_train), (x_test, y_test) = keras.datasets.${d.id}.load_data(${kw})`,
        '',
        '    def prepare(seqs):',
        ...(multiHot
          ? [
              `        out = np.zeros((len(seqs), ${pyValue(o.num_words ?? 10000)}), dtype="float32")`,
              '        for i, seq in enumerate(seqs):',
              `            out[i, [w for w in seq if w < ${pyValue(o.num_words ?? 10000)}]] = 1.0`,
              '        return out',
            ]
          : [`        return keras.utils.pad_sequences(seqs, maxlen=${pyValue(o.sequence_length ?? 200)})`]),
        '',
        '    return (prepare(x_train), np.asarray(y_train)), (prepare(x_test), np.asarray(y_test))',
      ]
    }
    default:
      throw new Error(`No Python loader for the dataset ${d.id}.`)
  }
}

/**
 * A dataset as numpy arrays (x as stored, its scale, y), zipped as .npz for the Python script (and,
 * with each output's labels as `extra` arrays, for the Keras trainer).
 */
export function datasetNpz(d: LoadedDataset, extra: Record<string, Uint8Array> = {}): Uint8Array {
  const n = d.y.length
  const descr = (x: LoadedDataset['x']) =>
    x instanceof Uint8Array ? '|u1' : x instanceof Int32Array ? '<i4' : '<f4'
  const xDescr = descr(d.x)
  const yDescr = d.y instanceof Int32Array ? '<i4' : '<f4'
  // The test split goes too (a Keras dataset's own, a CSV's held-back rows, a built-in's), for the
  // script's evaluation and the Keras trainer's.
  const t = d.test
  const test: Record<string, Uint8Array> = t?.y.length
    ? {
        'x_test.npy': writeNpy([t.y.length, ...d.sampleShape], t.x, descr(t.x)),
        'y_test.npy': writeNpy([t.y.length], t.y, t.y instanceof Int32Array ? '<i4' : '<f4'),
        ...Object.fromEntries(
          (t.more ?? []).map((m, k) => [
            `x${k + 2}_test.npy`,
            writeNpy([t.y.length, ...m.sampleShape], m.x, '<f4'),
          ]),
        ),
      }
    : {}
  return zipSync(
    {
      'x_train.npy': writeNpy([n, ...d.sampleShape], d.x, xDescr),
      'x_scale.npy': writeNpy([], new Float32Array([d.xScale ?? 1]), '<f4'),
      'y_train.npy': writeNpy([n], d.y, yDescr),
      // Further inputs (a dataset with two): x2_train, ...
      ...Object.fromEntries(
        (d.more ?? []).map((m, k) => [`x${k + 2}_train.npy`, writeNpy([n, ...m.sampleShape], m.x, '<f4')]),
      ),
      ...test,
      ...extra,
    },
    { level: 0 },
  )
}
