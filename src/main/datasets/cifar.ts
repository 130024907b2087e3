// CIFAR-10 and CIFAR-100 from the Keras cache, in either layout Keras leaves: cifar-10-batches-py/
// (tf.keras and Keras ≤ 3.5) or cifar-10-batches-py-target/cifar-10-batches-py/ (Keras ≥ 3.6), or
// straight from the downloaded .tar.gz when it has not been extracted.
import { existsSync } from 'node:fs'
import { ServiceError } from '../service/errors'
import { readDataFile } from './read'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { LoadedDataset } from './builtins'
import { DatasetFileError } from './idx'
import { unpickle, type PickledArray } from './pickle'

/** The files of a tar archive (ustar), by path. */
export function readTar(tar: Uint8Array, source = 'The archive'): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>()
  const text = (from: number, len: number) =>
    new TextDecoder('latin1').decode(tar.subarray(from, from + len)).replace(/\0.*$/s, '')
  let pos = 0
  while (pos + 512 <= tar.length) {
    if (tar[pos] === 0) break // two zero blocks end the archive
    const name = text(pos, 100)
    const prefix = text(pos + 345, 155)
    const size = parseInt(text(pos + 124, 12).trim() || '0', 8)
    const type = String.fromCharCode(tar[pos + 156] ?? 48)
    const start = pos + 512
    if (Number.isNaN(size) || start + size > tar.length)
      throw new DatasetFileError(`${source} is truncated or damaged.`)
    if (type === '0' || type === '\0')
      files.set(prefix ? `${prefix}/${name}` : name, tar.subarray(start, start + size))
    pos = start + Math.ceil(size / 512) * 512
  }
  return files
}

/** CIFAR's archives unpack to 180 MB; a gzip bomb stops here. */
const CIFAR_TAR_MAX = 512 * 1024 * 1024

interface CifarSpec {
  folder: string
  archive: string
  train: string[]
  test: string
  labelKey: string
}

const CIFAR: Record<'cifar10' | 'cifar100', CifarSpec> = {
  cifar10: {
    folder: 'cifar-10-batches-py',
    archive: 'cifar-10-batches-py.tar.gz',
    train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'],
    test: 'test_batch',
    labelKey: 'labels',
  },
  cifar100: {
    folder: 'cifar-100-python',
    archive: 'cifar-100-python.tar.gz',
    train: ['train'],
    test: 'test',
    labelKey: 'fine_labels',
  },
}

/** Finds the batch files: an extracted folder in either Keras layout, else the archive. */
async function batchFiles(dir: string, spec: CifarSpec): Promise<Map<string, Uint8Array>> {
  const names = [...spec.train, spec.test]
  for (const folder of [join(dir, spec.folder), join(dir, `${spec.folder}-target`, spec.folder)])
    if (names.every((f) => existsSync(join(folder, f))))
      return new Map(
        await Promise.all(names.map(async (f) => [f, await readDataFile(join(folder, f))] as const)),
      )
  const archive = join(dir, spec.archive)
  if (!existsSync(archive))
    throw new DatasetFileError(`There is no file at ${archive} (nor an extracted ${spec.folder} folder).`)
  let tarBytes: Uint8Array
  try {
    tarBytes = gunzipSync(await readDataFile(archive), { maxOutputLength: CIFAR_TAR_MAX })
  } catch (e) {
    if (e instanceof DatasetFileError || e instanceof ServiceError) throw e
    throw new DatasetFileError(
      (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
        ? `${archive} unpacks to more than ${CIFAR_TAR_MAX / 2 ** 20} MB; it is not the CIFAR archive.`
        : `${archive} is not a valid gzip file (${(e as Error).message}); it may be truncated or damaged.`,
    )
  }
  const tar = readTar(tarBytes, archive)
  return new Map(names.map((f) => [f, tar.get(`${spec.folder}/${f}`) ?? new Uint8Array()]))
}

/** CIFAR-100's 20 superclasses, in coarse label order (the archive's meta file). */
export const CIFAR100_COARSE = [
  'aquatic_mammals',
  'fish',
  'flowers',
  'food_containers',
  'fruit_and_vegetables',
  'household_electrical_devices',
  'household_furniture',
  'insects',
  'large_carnivores',
  'large_man-made_outdoor_things',
  'large_natural_outdoor_scenes',
  'large_omnivores_and_herbivores',
  'medium_mammals',
  'non-insect_invertebrates',
  'people',
  'reptiles',
  'small_mammals',
  'trees',
  'vehicles_1',
  'vehicles_2',
]

/**
 * Reads CIFAR's training batches (and its test batch, as the test split) as Keras does: images channels-last (N, 32, 32, 3), kept as uint8 and
 * scaled to [0, 1] a batch at a time; CIFAR-100's fine labels (Keras's default label_mode) or coarse.
 */
export async function readCifar(
  id: 'cifar10' | 'cifar100',
  dir: string,
  classes: string[],
  labelMode: 'fine' | 'coarse' = 'fine',
): Promise<LoadedDataset> {
  const spec =
    id === 'cifar100' && labelMode === 'coarse' ? { ...CIFAR[id], labelKey: 'coarse_labels' } : CIFAR[id]
  const files = await batchFiles(dir, spec)
  const names = id === 'cifar100' && labelMode === 'coarse' ? CIFAR100_COARSE : classes
  const train = readBatches(files, spec.train, spec.labelKey, dir)
  const test = readBatches(files, [spec.test], spec.labelKey, dir)
  return { id, ...train, xScale: 1 / 255, sampleShape: [32, 32, 3], classes: names, test }
}

/** Batches of CIFAR's pickled files as one set of channels-last images and their labels. */
function readBatches(
  files: Map<string, Uint8Array>,
  batches: string[],
  labelKey: string,
  dir: string,
): { x: Uint8Array; y: Int32Array } {
  const parts: { data: Uint8Array; labels: number[] }[] = []
  for (const name of batches) {
    const bytes = files.get(name)
    if (!bytes?.length) throw new DatasetFileError(`The CIFAR batch ${name} is missing from ${dir}.`)
    const batch = unpickle(bytes, name) as Map<string, unknown>
    const data = batch.get('data') as PickledArray | undefined
    const labels = batch.get(labelKey) as number[] | undefined
    if (!data || !(data.data instanceof Uint8Array) || !Array.isArray(labels))
      throw new DatasetFileError(`The CIFAR batch ${name} does not hold data and ${labelKey}.`)
    // A tampered batch: fewer pixels than its labels need, or labels that are not class numbers.
    if (data.data.length !== labels.length * 3072)
      throw new DatasetFileError(
        `The CIFAR batch ${name} holds ${data.data.length} pixel values for ${labels.length} labels (${labels.length * 3072} expected): it is damaged.`,
      )
    parts.push({ data: data.data, labels })
  }
  const n = parts.reduce((a, p) => a + p.labels.length, 0)
  const x = new Uint8Array(n * 3072)
  const y = new Int32Array(n)
  let i = 0
  for (const p of parts)
    for (let k = 0; k < p.labels.length; k++, i++) {
      y[i] = Number.isInteger(p.labels[k]) ? p.labels[k]! : -1
      // Stored as 1024 red, 1024 green, 1024 blue values per image; Keras transposes to (32, 32, 3).
      const src = k * 3072
      const dst = i * 3072
      for (let px = 0; px < 1024; px++)
        for (let c = 0; c < 3; c++) x[dst + px * 3 + c] = p.data[src + c * 1024 + px]!
    }
  return { x, y }
}
