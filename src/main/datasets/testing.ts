import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appRoot } from '../hosts/paths'
import type { LoadedDataset } from './builtins'
import { readIdxDataset } from './mnist'

/** The real MNIST test set, read in place from ../shared (never copied into the repository). */
export const SHARED_MNIST = join(appRoot(), '..', 'shared', 'datasets', 'mnist-test')

/**
 * For tests: a Keras cache holding Fashion-MNIST's four files, made from the real MNIST test set (the
 * same IDX format), in a temporary folder.
 */
export function stageFashionCache(): string {
  const home = mkdtempSync(join(tmpdir(), 'netwright-keras-'))
  const dir = join(home, 'datasets', 'fashion-mnist')
  mkdirSync(dir, { recursive: true })
  for (const split of ['train', 't10k']) {
    copyFileSync(join(SHARED_MNIST, 't10k-images-idx3-ubyte.gz'), join(dir, `${split}-images-idx3-ubyte.gz`))
    copyFileSync(join(SHARED_MNIST, 't10k-labels-idx1-ubyte.gz'), join(dir, `${split}-labels-idx1-ubyte.gz`))
  }
  return home
}

/** The real MNIST test set (10,000 digits) from ../shared, read through the IDX reader. */
export const readSharedMnist = (): Promise<LoadedDataset> =>
  readIdxDataset(
    SHARED_MNIST,
    { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
    'mnist-test',
  )
