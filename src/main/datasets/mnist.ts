import { join } from 'node:path'
import type { LoadedDataset } from './builtins'
import { DatasetFileError, readIdx } from './idx'
import { readDataFile } from './read'

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

/**
 * Reads an IDX image file and its label file (MNIST's and Fashion-MNIST's layout) into a dataset. The
 * pixels stay uint8, scaled to [0, 1] a batch at a time.
 */
export async function readIdxDataset(
  dir: string,
  files: { images: string; labels: string },
  id: string,
  classes: string[] = MNIST_CLASSES,
): Promise<LoadedDataset> {
  const load = async (name: string) => {
    const path = join(dir, name)
    try {
      return readIdx(await readDataFile(path), path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new DatasetFileError(`There is no file at ${path}.`)
      throw e
    }
  }
  const [images, labels] = await Promise.all([load(files.images), load(files.labels)])
  const n = images.shape[0]!
  if (labels.shape[0] !== n)
    throw new DatasetFileError(
      `${files.images} has ${n} images but ${files.labels} has ${labels.shape[0]} labels.`,
    )
  const x = images.data instanceof Uint8Array ? images.data : Float32Array.from(images.data)
  const xScale = images.data instanceof Uint8Array ? 1 / 255 : 1
  return { id, x, xScale, sampleShape: images.shape.slice(1), y: Int32Array.from(labels.data), classes }
}
