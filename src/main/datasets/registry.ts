import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { DatasetInfo } from '../../shared/ipc/contract'
import { BUILTIN_DATASETS, loadDataset as loadBuiltin, type LoadedDataset } from './builtins'
import { ensureFile, type EnsureOptions } from './download'
import { showValue } from '../../shared/json-limits'
import { DatasetFileError } from './idx'
import { ServiceError } from '../service/errors'
import { KERAS_DATASETS, kerasDataset } from './keras'
import { readIdxDataset } from './mnist'
import { readCifar } from './cifar'
import { readBoston } from './boston'
import { readText } from './text'
import { readNpz } from './npy'
import { readDataFile } from './read'
import { encodeCsv, readCsvTable, CSV_OPTIONS } from './csv'
import { IMAGE_FOLDER_OPTIONS, readImageFolder } from './imagefolder'
import { applyImageOptions, checkOptions, defaultsOf, KERAS_OPTIONS } from './options'

/** The user's own data: a CSV file or a folder of images, chosen by path in the options. */
export const USER_DATASETS: DatasetInfo[] = [
  {
    id: 'csv',
    name: 'Your CSV file',
    task: 'classification',
    description:
      'A table of your own: one row per sample, a header row naming the columns. Choose the column to predict; numeric and text columns are found and encoded.',
    sampleShape: [],
    classes: [],
    options: CSV_OPTIONS,
    defaultOptions: defaultsOf(CSV_OPTIONS),
    builtIn: false,
    source: 'csv',
    cached: true,
    loadable: true,
  },
  {
    id: 'images',
    name: 'Your image folder',
    task: 'classification',
    description:
      "Images of your own, one subfolder per class (PNG or JPEG), resized to one size, as Keras's image_dataset_from_directory reads them.",
    sampleShape: [],
    classes: [],
    options: IMAGE_FOLDER_OPTIONS,
    defaultOptions: defaultsOf(IMAGE_FOLDER_OPTIONS),
    builtIn: false,
    source: 'images',
    cached: true,
    loadable: true,
  },
]

/** Whether a dataset id reads a path the user gave (which the host must resolve and allow). */
export const isUserDataset = (id: string) => USER_DATASETS.some((d) => d.id === id)

/** Every dataset the app knows, built-in and Keras, with whether each Keras one is in the cache. */
export function datasetInfos(kerasDir: string): DatasetInfo[] {
  return [
    ...BUILTIN_DATASETS.map((d) => ({ ...d, source: 'built-in' as const, cached: true, loadable: true })),
    ...KERAS_DATASETS.map((d) => ({
      id: d.id,
      name: d.name,
      task: d.task,
      description: d.description,
      sampleShape: d.sampleShape,
      classes: d.classes,
      options: KERAS_OPTIONS[d.id] ?? [],
      defaultOptions: defaultsOf(KERAS_OPTIONS[d.id] ?? []),
      builtIn: false,
      source: 'keras' as const,
      citation: d.citation,
      cached: d.files.every((f) => existsSync(join(kerasDir, f.path))),
      loadable: d.loadable,
      files: d.files.map((f) => join(kerasDir, f.path)),
    })),
    ...USER_DATASETS,
  ]
}

/** Downloads (or finds in the cache) and verifies a Keras dataset's files. */
export async function prepareKerasDataset(
  id: string,
  kerasDir: string,
  opts: EnsureOptions = {},
): Promise<string[]> {
  const d = kerasDataset(id)
  if (!d) throw new DatasetFileError(`There is no Keras dataset ${showValue(id, 60)}.`)
  const paths: string[] = []
  for (const f of d.files) paths.push(await ensureFile(kerasDir, f, opts))
  return paths
}

function fromUint8(
  images: { shape: number[]; data: ArrayLike<number> },
  labels: ArrayLike<number | bigint>,
  id: string,
  classes: string[],
): LoadedDataset {
  const x = images.data instanceof Uint8Array ? images.data : Float32Array.from(images.data)
  const y = Int32Array.from(Array.from(labels, (v) => Number(v)))
  return {
    id,
    x,
    xScale: images.data instanceof Uint8Array ? 1 / 255 : 1,
    sampleShape: images.shape.slice(1),
    y,
    classes,
  }
}

/** A dataset with another loaded part as its test split. */
export const withTest = (train: LoadedDataset, test: LoadedDataset): LoadedDataset => ({
  ...train,
  test: { x: test.x, y: test.y, more: test.more },
})

/** The loaders by id (see loadAnyDataset). */
async function loadUnwrapped(
  id: string,
  given: Record<string, unknown>,
  seed: number,
  kerasDir: string,
): Promise<LoadedDataset> {
  if (BUILTIN_DATASETS.some((d) => d.id === id)) return loadBuiltin(id, given, seed)
  if (isUserDataset(id)) {
    const user = USER_DATASETS.find((d) => d.id === id)!
    const o = checkOptions(id, user.options, given)
    if (!o.path)
      throw new DatasetFileError(`Choose ${id === 'csv' ? 'a CSV file' : 'an image folder'} first.`)
    if (id === 'csv') return encodeCsv(await readCsvTable(String(o.path), o), o, seed)
    return applyImageOptions(await readImageFolder(String(o.path), o, seed), o)
  }
  const d = kerasDataset(id)
  if (!d)
    throw new DatasetFileError(
      `There is no dataset ${showValue(id, 60)}. Choose one of: ${[
        ...BUILTIN_DATASETS,
        ...KERAS_DATASETS,
        ...USER_DATASETS,
      ]
        .map((x) => x.id)
        .join(', ')}.`,
    )
  if (!d.loadable)
    throw new DatasetFileError(`The dataset "${id}" is not available in this version of Netwright.`)
  const options = checkOptions(id, KERAS_OPTIONS[id] ?? [], given)
  const data = await readKeras(id, d.classes, options, kerasDir)
  return d.sampleShape.length > 1 ? applyImageOptions(data, options) : data
}

async function readKeras(
  id: string,
  classes: string[],
  options: Record<string, unknown>,
  kerasDir: string,
): Promise<LoadedDataset> {
  switch (id) {
    case 'mnist': {
      const path = join(kerasDir, 'mnist.npz')
      const npz = readNpz(await readDataFile(path), path)
      const part = (split: 'train' | 'test') => {
        const [x, y] = [npz[`x_${split}`], npz[`y_${split}`]]
        if (!x || !y) throw new DatasetFileError(`${path} has no x_${split} / y_${split} arrays.`)
        return fromUint8(x as { shape: number[]; data: Uint8Array }, y.data as Uint8Array, id, classes)
      }
      return withTest(part('train'), part('test'))
    }
    case 'imdb':
    case 'reuters':
      return readText(id, kerasDir, options)
    case 'boston_housing':
      return readBoston(kerasDir, options)
    case 'cifar10':
    case 'cifar100':
      return readCifar(id, kerasDir, classes, options.label_mode === 'coarse' ? 'coarse' : 'fine')
    case 'fashion_mnist': {
      const dir = join(kerasDir, 'fashion-mnist')
      const part = (split: 'train' | 't10k') =>
        readIdxDataset(
          dir,
          { images: `${split}-images-idx3-ubyte.gz`, labels: `${split}-labels-idx1-ubyte.gz` },
          id,
          classes,
        )
      return withTest(await part('train'), await part('t10k'))
    }
    default:
      throw new DatasetFileError(`The dataset "${id}" is not available in this version of Netwright.`)
  }
}

/** Loads a dataset for training: built-ins are generated; Keras ones are read from the cache (training split). */
export async function loadAnyDataset(
  id: string,
  options: Record<string, unknown>,
  seed: number,
  kerasDir: string,
): Promise<LoadedDataset> {
  let d: LoadedDataset
  try {
    d = await loadUnwrapped(id, options, seed, kerasDir)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const hint = `Run "netwright datasets prepare ${id}" (or press Train) to download it.`
    if (err.code === 'ENOENT') throw new DatasetFileError(`There is no file at ${err.path}. ${hint}`)
    if (e instanceof ServiceError && e.code === 'not-found' && kerasDataset(id))
      throw new DatasetFileError(`${e.message} ${hint}`)
    if (e instanceof ServiceError) throw new DatasetFileError(e.message)
    throw e
  }
  const name = kerasDataset(id)?.name ?? id
  checkLoaded(d, name)
  if (d.test?.y.length)
    checkLoaded(
      { ...d, x: d.test.x, y: d.test.y, more: d.test.more, test: undefined },
      `${name}'s test split`,
    )
  return d
}

/**
 * What every dataset must be before it trains, whatever file it came from: as many values as its
 * samples' shape needs, class labels that are class numbers, and numbers that are numbers. A tampered
 * file is refused here with what is wrong and where, instead of training on garbage (or NaN).
 */
export function checkLoaded(d: LoadedDataset, name: string): void {
  const n = d.y.length
  if (n === 0) throw new DatasetFileError(`${name} holds no samples.`)
  if (!d.sampleShape.length || !d.sampleShape.every((v) => Number.isInteger(v) && v > 0))
    throw new DatasetFileError(
      `${name} has samples of shape [${d.sampleShape.join(', ')}], which cannot be trained on.`,
    )
  const per = d.sampleShape.reduce((a, b) => a * b, 1)
  if (d.x.length !== n * per)
    throw new DatasetFileError(
      `${name} holds ${d.x.length.toLocaleString('en-US')} values for ${n.toLocaleString('en-US')} labels of [${d.sampleShape.join(', ')}] (${(n * per).toLocaleString('en-US')} expected): its samples and labels do not match. The file may be damaged.`,
    )
  if (d.task === 'regression') {
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(d.y[i]))
        throw new DatasetFileError(`${name}: the target of sample ${i + 1} is ${d.y[i]}, not a number.`)
  } else {
    const k = d.classes.length
    for (let i = 0; i < n; i++) {
      const v = d.y[i]!
      if (!Number.isInteger(v) || v < 0 || (k > 0 && v >= k))
        throw new DatasetFileError(
          `${name}: sample ${i + 1} has the label ${v}, but the classes are numbered 0 to ${k - 1}. The file may be damaged.`,
        )
    }
  }
  if (d.x instanceof Float32Array)
    for (let i = 0; i < d.x.length; i++)
      if (!Number.isFinite(d.x[i]))
        throw new DatasetFileError(
          `${name}: sample ${Math.floor(i / per) + 1} holds ${d.x[i]}, not a number. Fill in or remove it.`,
        )
}
