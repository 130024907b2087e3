import { zipSync } from 'fflate'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { previewDataset } from './preview'
import { kerasImdb } from './text'
import { readNpz } from './npy'

const fixtures = join(import.meta.dirname, 'fixtures')

/** A Keras cache holding imdb.npz made from the small fixture, and (optionally) its word index. */
function imdbCache(words: boolean): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'netwright-keras-')), 'datasets')
  mkdirSync(dir)
  const src = join(fixtures, 'imdb-small')
  writeFileSync(
    join(dir, 'imdb.npz'),
    zipSync(Object.fromEntries(readdirSync(src).map((f) => [f, readFileSync(join(src, f))]))),
  )
  if (words) {
    // Ranks 1..60 as words w1..w60, in json.dump's layout.
    const index = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`w${i + 1}`, i + 1]))
    writeFileSync(join(dir, 'imdb_word_index.json'), JSON.stringify(index, null, 1))
  }
  return dir
}

describe('dataset previews', () => {
  it('decodes IMDB reviews with the word index, as Keras documents it', async () => {
    const dir = imdbCache(true)
    const p = await previewDataset('imdb', { num_words: 40 }, 1, dir, { extras: true, verify: false })
    const seqs = kerasImdb(readNpz(readFileSync(join(dir, 'imdb.npz'))), { num_words: 40 })
    expect(p.count).toBe(seqs.x.length)
    expect(p.sampleShape).toEqual([200])
    expect(p.texts!.length).toBe(Math.min(8, seqs.x.length))
    // Index i is the word of rank i - 3; 1 starts a review, 2 is out of vocabulary.
    const expected = seqs.x[0]!.map((i) => (i === 1 ? '[start]' : i === 2 ? '[?]' : `w${i - 3}`)).join(' ')
    expect(p.texts![0]!.text).toBe(expected)
    expect(['negative', 'positive']).toContain(p.texts![0]!.label)
    expect(p.balance.reduce((a, b) => a + b, 0)).toBe(p.count)
  })

  it('shows word indices, and says why, when the word list cannot be had', async () => {
    const p = await previewDataset('imdb', {}, 1, imdbCache(false), { extras: false, verify: false })
    expect(p.texts![0]!.text).toMatch(/^1( \d+)+$/)
    expect(p.notes.join(' ')).toContain('imdb_word_index.json')
  })
})
