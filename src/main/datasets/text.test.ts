// The .npy members in fixtures/imdb-small and fixtures/reuters-small were written by numpy 2.4 in Keras's
// layout (object arrays of word-index lists); the test zips them into .npz files as np.savez does.
// text-expected.json holds what Keras's load_data code gives for them, computed in Python with that code
// restated line for line.
import { zipSync } from 'fflate'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readNpz } from './npy'
import { encodeSequences, kerasImdb, kerasReuters, readText, readWordIndex, sequenceDecoder } from './text'

const fixtures = join(import.meta.dirname, 'fixtures')
const expected = JSON.parse(readFileSync(join(fixtures, 'text-expected.json'), 'utf8')) as Record<
  string,
  [number[][], number[]]
>

/** An .npz of a fixture folder's .npy files: deflated (np.savez_compressed) or stored (np.savez). */
function npz(folder: string, level: 0 | 6): Uint8Array {
  const dir = join(fixtures, folder)
  return zipSync(
    Object.fromEntries(readdirSync(dir).map((f) => [f, [readFileSync(join(dir, f)), { level }]])),
  )
}
const imdb = readNpz(npz('imdb-small', 6))
const reuters = readNpz(npz('reuters-small', 0))

describe("IMDB and Reuters, Keras's way", () => {
  it.each([
    ['imdb_default', {}],
    ['imdb_options', { num_words: 40, skip_top: 5, maxlen: 10 }],
    ['imdb_no_oov', { num_words: 40, oov_char: null }],
  ] as const)('imdb %s equals keras.datasets.imdb.load_data', (key, options) => {
    const r = kerasImdb(imdb, options)
    expect([r.x, r.y]).toEqual(expected[key])
  })

  it.each([
    ['reuters_default', {}],
    ['reuters_options', { num_words: 30, maxlen: 11, test_split: 0.3 }],
  ] as const)('reuters %s equals keras.datasets.reuters.load_data', (key, options) => {
    const r = kerasReuters(reuters, options)
    expect([r.x, r.y]).toEqual(expected[key])
  })

  it('pads at the front and truncates keeping the end, or multi-hot encodes', () => {
    const s = {
      x: [
        [1, 5, 7],
        [1, 2, 3, 4, 5, 6],
      ],
      y: [0, 1],
    }
    const padded = encodeSequences(s, { sequence_length: 4 }, 'imdb', ['negative', 'positive'])
    expect(padded.sampleShape).toEqual([4])
    expect(Array.from(padded.x)).toEqual([0, 1, 5, 7, 3, 4, 5, 6])
    const hot = encodeSequences(s, { encoding: 'multi_hot', num_words: 8 }, 'imdb', [])
    expect(Array.from(hot.x.subarray(0, 8))).toEqual([0, 1, 0, 0, 0, 1, 0, 1])
  })

  it('says when maxlen leaves nothing', () => {
    expect(() => kerasImdb(imdb, { maxlen: 2 })).toThrow('nothing is left; raise maxlen')
  })

  it('reads imdb.npz from a Keras cache folder into padded sequences', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-text-'))
    writeFileSync(join(dir, 'imdb.npz'), npz('imdb-small', 6))
    const d = await readText('imdb', dir, { sequence_length: 6 })
    expect(d.sampleShape).toEqual([6])
    expect(Array.from(d.y)).toEqual(expected.imdb_default![1])
    const first = expected.imdb_default![0][0]!.slice(-6)
    expect(Array.from(d.x.subarray(0, 6))).toEqual([...new Array(6 - first.length).fill(0), ...first])
  })

  it('reads a word-index JSON file as Keras writes it and decodes sequences back to words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'words-'))
    const path = join(dir, 'imdb_word_index.json')
    // json.dump's layout, with a non-ASCII word as Python escapes it.
    writeFileSync(path, '{"the": 1, "and": 2, "a": 3, "caf\\u00e9": 4}')
    const index = await readWordIndex(path)
    expect(index.get('café')).toBe(4)
    const decode = sequenceDecoder(index)
    // index_from 3: "the" (rank 1) is 4 in the data; 1 starts a review, 2 is out of vocabulary, 0 pads.
    expect(decode([0, 0, 1, 4, 5, 2, 6, 7])).toBe('[start] the and [?] a café')
    writeFileSync(path, '{"the": 1, "and": 2, "a"')
    await expect(readWordIndex(path)).rejects.toThrow(`${path} is not valid JSON (truncated or damaged?).`)
    writeFileSync(path, '{"the": 1, "and": "two"}')
    await expect(readWordIndex(path)).rejects.toThrow(
      'the word "and" has the index "two", not a positive whole number.',
    )
    writeFileSync(path, '[1, 2]')
    await expect(readWordIndex(path)).rejects.toThrow('is not a word index')
  })
})
