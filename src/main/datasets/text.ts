// IMDB and Reuters as keras.datasets gives them: the same shuffles (RandomState(seed)), start, OOV and
// index_from conventions, maxlen filtering and num_words/skip_top cut, so a model trained here and its
// exported Python code see the same sequences. Then padded (or multi-hot encoded) for training.
import { LIMITS, readRegularText } from '../safe-fs'
import { readDataFile } from './read'
import { join } from 'node:path'
import type { LoadedDataset } from './builtins'
import { DatasetFileError } from './idx'
import { readNpz, type NpyArray } from './npy'
import { numpyShuffledIndicesFrom, MT19937 } from './randomstate'
import { REUTERS_TOPICS } from './keras'

/**
 * Reads a Keras word-index JSON file (imdb_word_index.json, reuters_word_index.json): word → rank, 1 the
 * most frequent. A damaged file gets a message that names it.
 */
export function parseWordIndex(text: string, source: string): Map<string, number> {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new DatasetFileError(`${source} is not valid JSON (truncated or damaged?).`)
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new DatasetFileError(`${source} is not a word index (an object of word → number).`)
  const out = new Map<string, number>()
  for (const [word, rank] of Object.entries(raw)) {
    if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1)
      throw new DatasetFileError(
        `${source}: the word "${word}" has the index ${JSON.stringify(rank)}, not a positive whole number.`,
      )
    out.set(word, rank)
  }
  return out
}

export async function readWordIndex(path: string): Promise<Map<string, number>> {
  return parseWordIndex(await readRegularText(path, { maxBytes: LIMITS.wordIndex }), path)
}

/**
 * A sequence back to words, as Keras's docs decode it: indices are ranks shifted by index_from, with
 * 0 padding, 1 the start mark and 2 an out-of-vocabulary word.
 */
export function sequenceDecoder(
  index: Map<string, number>,
  indexFrom = 3,
): (seq: ArrayLike<number>) => string {
  const words = new Map<number, string>()
  for (const [w, r] of index) words.set(r + indexFrom, w)
  return (seq) => {
    const out: string[] = []
    for (const i of Array.from(seq)) {
      if (i === 0) continue
      out.push(i === 1 ? '[start]' : i === 2 ? '[?]' : (words.get(i) ?? '[?]'))
    }
    return out.join(' ')
  }
}

export interface TextOptions {
  num_words?: number | null
  skip_top?: number
  maxlen?: number | null
  seed?: number
  start_char?: number | null
  oov_char?: number | null
  index_from?: number
  test_split?: number
}

type Seqs = { x: number[][]; y: number[] }

const opt = <T>(o: Record<string, unknown>, k: string, d: T): T => (o[k] === undefined ? d : (o[k] as T))

function sequences(a: NpyArray | undefined, name: string): number[][] {
  if (!a || !Array.isArray(a.data))
    throw new DatasetFileError(`The file has no ${name} array of word-index lists.`)
  return (a.data as unknown[]).map((s) => (s as unknown[]).map(Number))
}
const labels = (a: NpyArray | undefined, name: string): number[] => {
  if (!a || Array.isArray(a.data)) throw new DatasetFileError(`The file has no ${name} label array.`)
  return Array.from(a.data as ArrayLike<number | bigint>, Number)
}

function permute<T>(items: T[], order: Uint32Array): T[] {
  return Array.from(order, (i) => items[i]!)
}

/** start_char, index_from, maxlen, num_words / skip_top / oov_char, in Keras's order. */
function conventions(parts: Seqs[], o: Record<string, unknown>): Seqs[] {
  const start = opt<number | null>(o, 'start_char', 1)
  const from = opt(o, 'index_from', 3)
  const maxlen = opt<number | null>(o, 'maxlen', null)
  let out = parts.map((p) => ({
    x: p.x.map((s) => (start !== null ? [start, ...s.map((w) => w + from)] : s.map((w) => w + from))),
    y: p.y,
  }))
  if (maxlen)
    out = out.map((p) => {
      const keep = p.x.map((s) => s.length < maxlen)
      return { x: p.x.filter((_, i) => keep[i]), y: p.y.filter((_, i) => keep[i]) }
    })
  let numWords = opt<number | null>(o, 'num_words', null)
  if (!numWords) numWords = Math.max(...out.flatMap((p) => p.x.map((s) => Math.max(...s))))
  const skip = opt(o, 'skip_top', 0)
  const oov = opt<number | null>(o, 'oov_char', 2)
  const inRange = (w: number) => skip <= w && w < numWords!
  return out.map((p) => ({
    x: p.x.map((s) => (oov !== null ? s.map((w) => (inRange(w) ? w : oov)) : s.filter(inRange))),
    y: p.y,
  }))
}

/** A training part with its test part (load_data's second pair). */
type Split = Seqs & { test: Seqs }

/** keras.datasets.imdb.load_data: the training part, with the test part. */
export function kerasImdb(npz: Record<string, NpyArray>, o: TextOptions = {}): Split {
  const rng = new MT19937(opt(o as Record<string, unknown>, 'seed', 113))
  const parts = (['train', 'test'] as const).map((s) => {
    const x = sequences(npz[`x_${s}`], `x_${s}`)
    const y = labels(npz[`y_${s}`], `y_${s}`)
    const order = numpyShuffledIndicesFrom(rng, x.length) // one generator, train then test, as Keras
    return { x: permute(x, order), y: permute(y, order) }
  })
  const [train, test] = conventions(parts, o as Record<string, unknown>)
  if (!train!.x.length || !test!.x.length)
    throw new DatasetFileError(
      `After removing sequences of ${o.maxlen} words or more, nothing is left; raise maxlen.`,
    )
  return { ...train!, test: test! }
}

/** keras.datasets.reuters.load_data: the training part, with the test part (test_split from the end). */
export function kerasReuters(npz: Record<string, NpyArray>, o: TextOptions = {}): Split {
  const x = sequences(npz.x, 'x')
  const y = labels(npz.y, 'y')
  const order = numpyShuffledIndicesFrom(
    new MT19937(opt(o as Record<string, unknown>, 'seed', 113)),
    x.length,
  )
  const [all] = conventions([{ x: permute(x, order), y: permute(y, order) }], o as Record<string, unknown>)
  const n = Math.floor(all!.x.length * (1 - opt(o as Record<string, unknown>, 'test_split', 0.2)))
  return { x: all!.x.slice(0, n), y: all!.y.slice(0, n), test: { x: all!.x.slice(n), y: all!.y.slice(n) } }
}

/**
 * Sequences as model input: padded/truncated to `sequence_length` at the front, as Keras's
 * pad_sequences does by default, or multi-hot vectors of num_words (the decks' vectorize_sequences).
 */
export function encodeSequences(
  s: Seqs,
  o: Record<string, unknown>,
  id: string,
  classes: string[],
): LoadedDataset {
  const y = Int32Array.from(s.y)
  if (o.encoding === 'multi_hot') {
    const width = Number(o.num_words ?? 10000)
    const x = new Uint8Array(s.x.length * width)
    s.x.forEach((seq, i) => seq.forEach((w) => w < width && (x[i * width + w] = 1)))
    return { id, x, sampleShape: [width], y, classes }
  }
  const len = Number(o.sequence_length ?? o.maxlen ?? 200)
  const x = new Int32Array(s.x.length * len)
  s.x.forEach((seq, i) => {
    const kept = seq.slice(-len)
    x.set(kept, i * len + (len - kept.length))
  })
  return { id, x, sampleShape: [len], y, classes }
}

/** The training sequences as Keras gives them, before padding: for decoding in a preview. */
export async function readTextSequences(
  id: 'imdb' | 'reuters',
  dir: string,
  o: Record<string, unknown>,
): Promise<Seqs> {
  const path = join(dir, `${id}.npz`)
  const npz = readNpz(await readDataFile(path), path)
  return id === 'imdb'
    ? kerasImdb(npz, { num_words: 10000, ...o })
    : kerasReuters(npz, { num_words: 10000, ...o })
}

export async function readText(
  id: 'imdb' | 'reuters',
  dir: string,
  o: Record<string, unknown>,
): Promise<LoadedDataset> {
  const path = join(dir, `${id}.npz`)
  const npz = readNpz(await readDataFile(path), path)
  const s = id === 'imdb' ? kerasImdb(npz, o) : kerasReuters(npz, o)
  const classes = id === 'imdb' ? ['negative', 'positive'] : REUTERS_TOPICS
  const opts = { num_words: 10000, ...o }
  const train = encodeSequences(s, opts, id, classes)
  if (!s.test.y.length) return train
  const test = encodeSequences(s.test, opts, id, classes)
  return { ...train, test: { x: test.x, y: test.y } }
}
