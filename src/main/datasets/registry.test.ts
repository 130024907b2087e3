import { zipSync } from 'fflate'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readIdx } from './idx'
import { writeNpy } from './npy'
import { datasetInfos, loadAnyDataset } from './registry'
import { SHARED_MNIST, stageFashionCache } from './testing'

describe('the dataset registry', () => {
  it('lists built-ins and the Keras seven, saying which are cached', () => {
    const home = stageFashionCache()
    const infos = datasetInfos(join(home, 'datasets'))
    expect(infos.map((d) => d.id)).toEqual([
      'shapes',
      'shapes-measured',
      'spirals',
      'xor',
      'moons',
      'circles',
      'mnist',
      'fashion_mnist',
      'cifar10',
      'cifar100',
      'boston_housing',
      'imdb',
      'reuters',
      'csv',
      'images',
    ])
    expect(infos.find((d) => d.id === 'fashion_mnist')).toMatchObject({
      cached: true,
      loadable: true,
      source: 'keras',
    })
    expect(infos.find((d) => d.id === 'mnist')).toMatchObject({
      cached: false,
      files: [join(home, 'datasets', 'mnist.npz')],
    })
  })

  it('loads mnist.npz (x_train, y_train; x_test, y_test as the test split) from the Keras cache', async () => {
    const home = mkdtempSync(join(tmpdir(), 'netwright-keras-'))
    mkdirSync(join(home, 'datasets'))
    const images = readIdx(readFileSync(join(SHARED_MNIST, 't10k-images-idx3-ubyte.gz')))
    const labels = readIdx(readFileSync(join(SHARED_MNIST, 't10k-labels-idx1-ubyte.gz')))
    const npz = zipSync({
      'x_train.npy': writeNpy([10000, 28, 28], images.data, '|u1'),
      'y_train.npy': writeNpy([10000], labels.data, '|u1'),
      'x_test.npy': writeNpy([100, 28, 28], images.data.subarray(0, 78400), '|u1'),
      'y_test.npy': writeNpy([100], labels.data.subarray(0, 100), '|u1'),
    })
    writeFileSync(join(home, 'datasets', 'mnist.npz'), npz)
    const d = await loadAnyDataset('mnist', {}, 1, join(home, 'datasets'))
    expect(d.sampleShape).toEqual([28, 28])
    expect(d.y.length).toBe(10000)
    expect(d.y[0]).toBe(7)
    // Pixels stay uint8 in memory and are scaled to [0, 1] a batch at a time.
    expect(d.x).toBeInstanceOf(Uint8Array)
    expect(Array.from(d.x.subarray(0, 784))).toEqual(Array.from(images.data.subarray(0, 784)))
    expect(d.xScale).toBeCloseTo(1 / 255)
    expect(d.test!.y.length).toBe(100)
    expect(d.test!.y[0]).toBe(7)
    const raw = await loadAnyDataset('mnist', { scale: false, flatten: true }, 1, join(home, 'datasets'))
    expect(raw.xScale).toBe(1)
    expect(raw.sampleShape).toEqual([784])
    await expect(loadAnyDataset('mnist', { scale: 'yes' }, 1, join(home, 'datasets'))).rejects.toThrow(
      'The dataset "mnist" setting "Scale pixels to [0, 1]" must be true or false, not "yes".',
    )
  })

  it('loads Fashion-MNIST from its IDX files in the Keras cache', async () => {
    const d = await loadAnyDataset('fashion_mnist', {}, 1, join(stageFashionCache(), 'datasets'))
    expect(d.classes[9]).toBe('Ankle boot')
    expect(d.y.length).toBe(10000)
  })

  it('names an unknown dataset, and a file missing from the cache', async () => {
    await expect(loadAnyDataset('mnist2', {}, 1, '/nowhere')).rejects.toThrow(
      'There is no dataset "mnist2". Choose one of: shapes, shapes-measured, spirals',
    )
    await expect(loadAnyDataset('imdb', {}, 1, '/nowhere')).rejects.toThrow(/\/nowhere\/imdb.npz/)
    await expect(loadAnyDataset('fashion_mnist', {}, 1, '/nowhere')).rejects.toThrow(
      'There is no file at /nowhere/fashion-mnist/',
    )
  })
})
