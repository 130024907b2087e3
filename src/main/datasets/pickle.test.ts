// Fixtures in ./fixtures were written by Python 3.11 with numpy 2.4 (pickle protocols 2 and 4, np.save
// of an object array), in the layouts of the CIFAR batches and of IMDB's arrays.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readNpy } from './npy'
import { PyBytes, unpickle, type PickledArray } from './pickle'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name))

describe('restricted unpickler', () => {
  it.each(['cifar-batch-p2.pkl', 'cifar-batch-p4.pkl'])('reads a CIFAR-10 batch (%s)', (name) => {
    const batch = unpickle(fixture(name), name) as Map<string, unknown>
    expect([...batch.keys()].sort()).toEqual(['batch_label', 'data', 'filenames', 'labels'])
    expect(batch.get('labels')).toEqual([6, 9, 9])
    expect(String(batch.get('batch_label'))).toBe('training batch 1 of 5')
    expect((batch.get('filenames') as PyBytes[]).map(String)[1]).toBe('camion_s_000148.png')
    const data = batch.get('data') as PickledArray
    expect(data).toMatchObject({ kind: 'ndarray', shape: [3, 3072], dtype: 'u1' })
    expect(Array.from((data.data as Uint8Array).subarray(0, 5))).toEqual([172, 47, 117, 192, 67])
    expect(Array.from((data.data as Uint8Array).subarray(3072 + 1024, 3072 + 1029))).toEqual([
      4, 251, 79, 127, 21,
    ])
  })

  it('reads CIFAR-100 fine and coarse labels', () => {
    const batch = unpickle(fixture('cifar100-batch-p2.pkl')) as Map<string, unknown>
    expect(batch.get('fine_labels')).toEqual([19, 29])
    expect(batch.get('coarse_labels')).toEqual([11, 15])
  })

  it("reads an object array of word-index lists, as IMDB's npz holds them", () => {
    const a = readNpy(fixture('imdb-x.npy'), 'x_train.npy')
    expect(a.shape).toEqual([3])
    expect(a.data).toEqual([
      [1, 14, 22, 16],
      [1, 194, 1153],
      [1, 5],
    ])
  })

  it('refuses a pickle that would run code, and a truncated one, with a clear message', () => {
    expect(() => unpickle(fixture('evil.pkl'), 'evil.pkl')).toThrow(
      /evil.pkl asks for the Python object (posix|os)\.system; Netwright only loads data/,
    )
    const p = fixture('cifar-batch-p4.pkl')
    expect(() => unpickle(p.subarray(0, p.length / 2), 'half.pkl')).toThrow(/half.pkl is truncated/)
  })
})
