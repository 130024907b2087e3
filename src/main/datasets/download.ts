import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { KerasFile } from './keras'
import { tempName } from '../service/files'

export interface DownloadProgress {
  file: string
  bytes: number
  total: number | null
  percent: number | null
  bytesPerSec: number
}

/** A dataset file that cannot be had: the message says where it comes from and where to put it. */
export class DatasetUnavailableError extends Error {
  override name = 'DatasetUnavailableError'
}

/** The file's published hash: Keras checks sha256 for the data files, md5 for the word indexes. */
const published = (f: KerasFile): { algo: 'sha256' | 'md5'; value: string } | null =>
  f.sha256 ? { algo: 'sha256', value: f.sha256 } : f.md5 ? { algo: 'md5', value: f.md5 } : null

/** Hashes already computed, by path, for the file's size and modification time then. */
const hashed = new Map<string, { stamp: string; algo: string; value: string }>()

async function hashOf(path: string, algo: string): Promise<string> {
  // A regular file only (a pipe would block the read forever), hashed once per version of it.
  const s = await stat(path)
  if (!s.isFile())
    throw new DatasetUnavailableError(
      `${path} is not a regular file; remove it so the dataset can be downloaded.`,
    )
  const stamp = `${s.size}:${s.mtimeMs}`
  const known = hashed.get(path)
  if (known && known.stamp === stamp && known.algo === algo) return known.value
  const h = createHash(algo)
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  const value = h.digest('hex')
  hashed.set(path, { stamp, algo, value })
  return value
}

/**
 * Checks a cached file against its published hash before anything reads it (the dataset browser's
 * preview): a mismatch is said, and the file is left where it is.
 */
export async function verifyCached(dir: string, f: KerasFile): Promise<void> {
  const want = published(f)
  const path = join(dir, f.path)
  if (!want || !(await exists(path))) return
  const actual = await hashOf(path, want.algo)
  if (actual !== want.value)
    throw new DatasetUnavailableError(
      `${path} does not match its published ${want.algo} (it is ${actual.slice(0, 12)}…, the publisher's is ${want.value.slice(0, 12)}…): it is damaged or not the real file. Download it again, or put a good copy there (from ${f.origin}).`,
    )
}

const exists = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  )

export interface EnsureOptions {
  onProgress?: (p: DownloadProgress) => void
  /** Told when a cached file is found corrupt and fetched again. */
  onNote?: (message: string) => void
  /** No answer from the server within this time is an error (ms). */
  connectTimeoutMs?: number
  /** No bytes for this long during a download is an error (ms). */
  stallTimeoutMs?: number
}

/**
 * Makes sure one Keras dataset file is in the cache and matches its published hash: a file already
 * there is used as it is; a corrupt one is moved aside (never deleted before a good copy is here), a
 * fresh copy downloaded, and the old one put back if none arrives; a download goes to a temporary
 * name and is renamed only once it is complete and verified.
 */
/** What a network error code means, in words (the code itself follows them). */
/** A network error's code in words (the code stays after them, for a search). */
export const NETWORK_WORDS: Record<string, string> = {
  ENOTFOUND: 'no internet connection, or the name of the server could not be looked up',
  EAI_AGAIN: 'no internet connection, or the name of the server could not be looked up',
  ECONNREFUSED: 'the server refused the connection',
  ECONNRESET: 'the connection was cut off',
  ETIMEDOUT: 'the server did not answer in time',
  ENETUNREACH: 'no internet connection, or the network is unreachable',
  EHOSTUNREACH: 'the server cannot be reached',
  CERT_HAS_EXPIRED: "the server's certificate has expired",
}

export async function ensureFile(dir: string, f: KerasFile, opts: EnsureOptions = {}): Promise<string> {
  const path = join(dir, f.path)
  const aside = `${path}.corrupt`
  let movedAside = false
  let mismatch = ''
  if (await exists(path)) {
    const want = published(f)
    if (!want) return path
    const actual = await hashOf(path, want.algo)
    if (actual === want.value) return path
    mismatch = `its ${want.algo} is ${actual.slice(0, 12)}…, the publisher's is ${want.value.slice(0, 12)}…`
    await rename(path, aside)
    movedAside = true
    opts.onNote?.(
      `${path} is corrupt (${mismatch}); it was moved aside to ${aside} while a fresh copy is fetched.`,
    )
  }
  try {
    const got = await download(path, f, opts)
    if (movedAside) await rm(aside, { force: true })
    return got
  } catch (e) {
    if (!movedAside) throw e
    // No good copy arrived: the user's file goes back where it was, and the message says so.
    const restored = await rename(aside, path).then(
      () => true,
      () => false,
    )
    throw new DatasetUnavailableError(
      `${path} is corrupt (${mismatch}), and a fresh copy could not be had: ${(e as Error).message.replace(/ You can download it yourself.*$/, '')}. ${restored ? 'Your file was put back as it was.' : `Your file is at ${aside}.`} You can download it yourself from ${f.origin} and place it at ${path}.`,
    )
  }
}

async function download(path: string, f: KerasFile, opts: EnsureOptions): Promise<string> {
  const handBy = `You can download it yourself from ${f.origin} and place it at ${path}.`
  const tmp = tempName(path, 'download')
  const controller = new AbortController()
  let timer = setTimeout(
    () => controller.abort(new Error('no answer from the server')),
    opts.connectTimeoutMs ?? 15_000,
  )
  try {
    await mkdir(dirname(path), { recursive: true })
    const res = await fetch(f.origin, { signal: controller.signal })
    if (!res.ok || !res.body) throw new Error(`the server answered ${res.status} ${res.statusText}`)
    const total = Number(res.headers.get('content-length')) || null
    const want = published(f)
    const hash = createHash(want?.algo ?? 'sha256')
    const out = createWriteStream(tmp)
    const started = performance.now()
    let bytes = 0
    let lastReport = 0
    const stall = opts.stallTimeoutMs ?? 30_000
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      clearTimeout(timer)
      timer = setTimeout(() => controller.abort(new Error('the download stalled')), stall)
      hash.update(chunk)
      bytes += chunk.length
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
      const now = performance.now()
      if (opts.onProgress && (now - lastReport > 200 || bytes === total)) {
        lastReport = now
        const secs = Math.max((now - started) / 1000, 1e-3)
        opts.onProgress({
          file: f.path,
          bytes,
          total,
          percent: total ? (100 * bytes) / total : null,
          bytesPerSec: bytes / secs,
        })
      }
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
    if (total !== null && bytes !== total)
      throw new Error(`the download ended early (${bytes} of ${total} bytes)`)
    const actual = hash.digest('hex')
    if (want && actual !== want.value)
      throw new Error(
        `the downloaded file does not match Keras's published ${want.algo} (got ${actual.slice(0, 12)}…, expected ${want.value.slice(0, 12)}…)`,
      )
    await rename(tmp, path)
    return path
  } catch (e) {
    await rm(tmp, { force: true })
    const cause = (e as { cause?: { code?: string; message?: string } }).cause
    const why =
      (cause?.code && NETWORK_WORDS[cause.code]
        ? `${NETWORK_WORDS[cause.code]}: ${cause.code}`
        : undefined) ??
      cause?.code ??
      cause?.message ??
      (controller.signal.reason as Error | undefined)?.message ??
      (e as Error).message
    throw new DatasetUnavailableError(`Could not download ${f.path} from ${f.origin} (${why}). ${handBy}`)
  } finally {
    clearTimeout(timer)
  }
}
