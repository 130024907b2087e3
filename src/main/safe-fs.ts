// Reading files that a user, a project or a downloaded model names, without trusting them: only
// regular files (never a FIFO, which would freeze file I/O, nor a device such as /dev/zero), never
// more bytes than the caller expects, and with messages a user can act on. Every reader of a file
// that comes from outside the app goes through here.
import { constants } from 'node:fs'
import { lstat, open, stat } from 'node:fs/promises'
import { ServiceError } from './service/errors'

/** How large a file Netwright reads, by what it is for (bytes). */
export const LIMITS = {
  /** A project, a Keras model JSON or a tfjs model.json. */
  modelJson: 64 * 1024 * 1024,
  /** All weights shards of one model together. */
  weights: 2 * 1024 * 1024 * 1024 - 1,
  /** A CSV file of your own. */
  csv: 512 * 1024 * 1024,
  /** One image of an image folder. */
  image: 64 * 1024 * 1024,
  /** A Keras dataset file (CIFAR's archive is the largest, 170 MB). */
  dataset: 1024 * 1024 * 1024,
  /** A word index JSON. */
  wordIndex: 64 * 1024 * 1024,
} as const

const MB = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`

/** Why a file was not read, for callers that word it their own way ("… is a folder, not a CSV file"). */
export type Unreadable = 'missing' | 'denied' | 'folder' | 'link' | 'special' | 'too-large' | 'other'

/** A file Netwright will not read: a ServiceError with the reason as data, not only in words. */
export class UnreadableFile extends ServiceError {
  constructor(
    code: ServiceError['code'],
    readonly reason: Unreadable,
    message: string,
  ) {
    super(code, message)
  }
}

const notRegular = (what: string, s: import('node:fs').Stats) =>
  s.isSymbolicLink()
    ? new UnreadableFile(
        'bad-request',
        'link',
        `${what} is a link; Netwright reads only plain files here. Put the file itself in its place.`,
      )
    : new UnreadableFile(
        'bad-request',
        s.isDirectory() ? 'folder' : 'special',
        `${what} is ${kindOf(s)}, not a file Netwright can read.`,
      )

const tooLarge = (what: string, size: number, max: number) =>
  new UnreadableFile(
    'bad-request',
    'too-large',
    `${what} is ${MB(size)}, more than the ${MB(max)} Netwright reads for it; it is not the file expected.`,
  )

/** Why a path is not a regular file, in words. */
function kindOf(s: import('node:fs').Stats): string {
  if (s.isDirectory()) return 'a folder'
  if (s.isFIFO()) return 'a pipe (FIFO)'
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device'
  if (s.isSocket()) return 'a socket'
  if (s.isSymbolicLink()) return 'a link'
  return 'not a regular file'
}

export interface ReadOptions {
  /** The most bytes the caller accepts; a larger file is refused before it is read. */
  maxBytes: number
  /** What the file is, for messages ("The weights file group1-shard1of1.bin"). Defaults to the path. */
  what?: string
  /** Refuse a symbolic link instead of following it (weights shards, which must lie beside their model.json). */
  noLinks?: boolean
}

/** The size of a regular file, or a ServiceError saying why it cannot be read. Never opens the file. */
export async function regularFileSize(path: string, o: ReadOptions): Promise<number> {
  const what = o.what ?? path
  let s: import('node:fs').Stats
  try {
    s = o.noLinks ? await lstat(path) : await stat(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new UnreadableFile('not-found', 'missing', `There is no file at ${what}.`)
    if (code === 'EACCES' || code === 'EPERM')
      throw new UnreadableFile('forbidden', 'denied', `${what} cannot be read: permission denied.`)
    if (code === 'ELOOP')
      throw new UnreadableFile('bad-request', 'link', `${what} is a link that points to itself.`)
    throw new UnreadableFile('bad-request', 'other', `${what} cannot be read (${code ?? 'unknown error'}).`)
  }
  if (!s.isFile()) throw notRegular(what, s)
  if (s.size > o.maxBytes) throw tooLarge(what, s.size, o.maxBytes)
  return s.size
}

/**
 * Reads a whole regular file of at most `maxBytes`. The file is opened non-blocking and checked
 * again after opening, so a path swapped for a pipe or a device between the check and the read is
 * refused too.
 */
export async function readRegularFile(path: string, o: ReadOptions): Promise<Buffer> {
  const what = o.what ?? path
  await regularFileSize(path, o)
  const flags =
    constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (o.noLinks ? (constants.O_NOFOLLOW ?? 0) : 0)
  let fh: import('node:fs/promises').FileHandle
  try {
    fh = await open(path, flags)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ELOOP')
      throw new UnreadableFile(
        'bad-request',
        'link',
        `${what} is a link; Netwright reads only plain files here.`,
      )
    if (code === 'ENOENT') throw new UnreadableFile('not-found', 'missing', `There is no file at ${what}.`)
    throw new UnreadableFile('forbidden', 'denied', `${what} cannot be opened (${code ?? 'unknown error'}).`)
  }
  try {
    // Checked again on what was opened: the path may have been swapped since.
    const s = await fh.stat()
    if (!s.isFile()) throw notRegular(what, s)
    if (s.size > o.maxBytes) throw tooLarge(what, s.size, o.maxBytes)
    const buf = Buffer.allocUnsafe(s.size)
    let at = 0
    while (at < s.size) {
      const { bytesRead } = await fh.read(buf, at, s.size - at, at)
      if (bytesRead === 0) break
      at += bytesRead
    }
    return at === s.size ? buf : buf.subarray(0, at)
  } finally {
    await fh.close()
  }
}

/** A regular text file (UTF-8) of at most `maxBytes`. */
export async function readRegularText(path: string, o: ReadOptions): Promise<string> {
  return (await readRegularFile(path, o)).toString('utf8')
}
