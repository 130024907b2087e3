import { unzipSync } from 'fflate'
import { DatasetFileError } from './idx'
import { unpickle, type PickledArray } from './pickle'

export interface NpyArray {
  shape: number[]
  dtype: string
  data:
    Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | unknown[]
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

/** The typed array for a numpy descr: little-endian numbers only (what the Keras files hold). */
function view(descr: string, bytes: Uint8Array, count: number, source: string): NpyArray['data'] {
  const copy = (n: number) => bytes.slice(0, count * n).buffer
  switch (descr) {
    case '|u1':
    case '<u1':
    case '|b1':
      return bytes.slice(0, count)
    case '|i1':
    case '<i1':
      return new Int8Array(copy(1))
    case '<i2':
      return new Int16Array(copy(2))
    case '<i4':
      return new Int32Array(copy(4))
    case '<i8':
      return new BigInt64Array(copy(8))
    case '<f4':
      return new Float32Array(copy(4))
    case '<f8':
      return new Float64Array(copy(8))
    default:
      throw new DatasetFileError(`${source} has the numpy dtype ${descr}, which Netwright cannot read.`)
  }
}

/** Reads a .npy file (format versions 1, 2 and 3). */
export function readNpy(file: Uint8Array, source = 'The .npy file'): NpyArray {
  if (file.length < 10 || MAGIC.some((b, i) => file[i] !== b))
    throw new DatasetFileError(`${source} is not a .npy file (it does not start with \\x93NUMPY).`)
  const major = file[6]!
  if (major < 1 || major > 3)
    throw new DatasetFileError(`${source} uses .npy format version ${major}, which is not known.`)
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const headerLen = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true)
  if (headerLen > 1024 * 1024)
    throw new DatasetFileError(`${source} has a header of ${headerLen} bytes: it is damaged.`)
  const start = major === 1 ? 10 : 12
  if (file.length < start + headerLen)
    throw new DatasetFileError(`${source} is truncated: its header is incomplete.`)
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    file.subarray(start, start + headerLen),
  )
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (!descr || !fortran || shapeText === undefined)
    throw new DatasetFileError(`${source} has a header Netwright cannot read: ${header.trim().slice(0, 120)}`)
  if (fortran === 'True')
    throw new DatasetFileError(`${source} is stored in Fortran order, which is not supported.`)
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  // A tampered header can say anything: each dimension a whole number, none negative, the product real.
  if (!dims.every((d) => /^\d{1,12}L?$/.test(d)))
    throw new DatasetFileError(
      `${source} has the shape (${shapeText.trim().slice(0, 60)}), which is not a list of sizes: it is damaged.`,
    )
  const shape = dims.map((d) => Number(d.replace(/L$/, '')))
  const count = shape.reduce((a, b) => a * b, 1)
  if (!Number.isSafeInteger(count) || count > 2 ** 32)
    throw new DatasetFileError(
      `${source} claims ${shape.join('×')} values, more than any real dataset: it is damaged.`,
    )
  const body = file.subarray(start + headerLen)
  if (descr === '|O') {
    // An object array (IMDB's and Reuters' lists of word indices) is stored as a pickle.
    const a = unpickle(body, source) as PickledArray
    if (a?.kind !== 'ndarray' || !Array.isArray(a.data))
      throw new DatasetFileError(`${source} does not hold an object array.`)
    return { shape, dtype: descr, data: a.data }
  }
  const size = Number(descr.slice(2))
  if (body.length < count * size)
    throw new DatasetFileError(
      `${source} is truncated: it should hold ${count * size} bytes of data, but has ${body.length}.`,
    )
  if (body.length > count * size)
    throw new DatasetFileError(
      `${source} holds ${body.length - count * size} bytes more than its shape (${shape.join('×')}) says: it is damaged.`,
    )
  return { shape, dtype: descr, data: view(descr, body, count, source) }
}

/** The most an .npz may unpack to (IMDB's, the largest Keras one, is about 60 MB). */
export const NPZ_MAX_BYTES = 1024 * 1024 * 1024

/** Reads an .npz file (a zip, stored or deflated, of .npy files) into its arrays by name. */
export function readNpz(
  file: Uint8Array,
  source = 'The .npz file',
  maxBytes = NPZ_MAX_BYTES,
): Record<string, NpyArray> {
  let entries: Record<string, Uint8Array>
  // Sizes are checked from the zip's directory before anything is inflated (fflate inflates into a
  // buffer of the declared size, never more), so a zip bomb cannot take more than the limit.
  let total = 0
  let tooBig: string | null = null
  try {
    entries = unzipSync(file, {
      filter: (f) => {
        total += f.originalSize
        if (f.originalSize > maxBytes || total > maxBytes) tooBig ??= f.name
        return tooBig === null && f.name.endsWith('.npy')
      },
    })
  } catch (e) {
    throw new DatasetFileError(
      `${source} is not a readable .npz (zip) file (${(e as Error).message}); it may be truncated or damaged.`,
    )
  }
  if (tooBig !== null)
    throw new DatasetFileError(
      `${source} would unpack to more than ${Math.round(maxBytes / 2 ** 20)} MB (at ${tooBig}); it is not a Keras dataset file.`,
    )
  const out: Record<string, NpyArray> = Object.create(null) as Record<string, NpyArray>
  for (const [name, bytes] of Object.entries(entries))
    if (name.endsWith('.npy')) out[name.slice(0, -4)] = readNpy(bytes, `${source} (${name})`)
  return out
}

/** Writes a .npy file (version 1), for tests. */
export function writeNpy(
  shape: number[],
  data: ArrayLike<number> | ArrayBufferView,
  descr: string,
): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  const pad = 64 - ((10 + dict.length + 1) % 64)
  const header = dict + ' '.repeat(pad % 64) + '\n'
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : Uint8Array.from(data as ArrayLike<number>)
  const out = new Uint8Array(10 + header.length + bytes.length)
  out.set(MAGIC, 0)
  out[6] = 1
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  out.set(bytes, 10 + header.length)
  return out
}
