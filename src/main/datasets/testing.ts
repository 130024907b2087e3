import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appRoot } from '../hosts/paths'
import type { LoadedDataset } from './builtins'
import { kerasDataset } from './keras'
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

/**
 * For tests in this process only: takes the staged files' own md5s as Fashion-MNIST's published
 * ones, so a run can train from that cache (the staged digits are not Fashion-MNIST, and every real
 * run refuses them). Returns a function that puts the published checksums back.
 */
export function trustStagedFashion(home: string): () => void {
  const files = kerasDataset('fashion_mnist')!.files
  const published = files.map((f) => f.md5)
  for (const f of files)
    f.md5 = createHash('md5')
      .update(readFileSync(join(home, 'datasets', f.path)))
      .digest('hex')
  return () => files.forEach((f, i) => (f.md5 = published[i]))
}

/** The real MNIST test set (10,000 digits) from ../shared, read through the IDX reader. */
export const readSharedMnist = (): Promise<LoadedDataset> =>
  readIdxDataset(
    SHARED_MNIST,
    { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
    'mnist-test',
  )
