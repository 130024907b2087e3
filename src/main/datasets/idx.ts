import { gunzipSync } from 'node:zlib'

/** The element types an IDX file can hold, by their type byte. */
const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
}

export interface IdxArray {
  shape: number[]
  /** uint8 data is returned as it is stored (no copy); other types are converted to numbers. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array
}

/** The most an IDX file may unpack to (Fashion-MNIST's training images are 47 MB). */
export const IDX_MAX_BYTES = 256 * 1024 * 1024

/** A file that is not what it claims to be, with a message naming it. */
export class DatasetFileError extends Error {
  override name = 'DatasetFileError'
}

/**
 * Reads an IDX file (LeCun's MNIST format, also Fashion-MNIST's), gzipped or not: a magic of two zero
 * bytes, a type byte, a dimension count, big-endian int32 dimensions, then the data, big-endian.
 */
export function readIdx(file: Uint8Array, source = 'The IDX file'): IdxArray {
  let bytes = file
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // Bounded: a gzip bomb stops at the limit instead of filling memory.
      bytes = gunzipSync(bytes, { maxOutputLength: IDX_MAX_BYTES })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw new DatasetFileError(
          `${source} unpacks to more than ${IDX_MAX_BYTES / 2 ** 20} MB; it is not an MNIST-style file (those are at most 47 MB).`,
        )
      throw new DatasetFileError(
        `${source} is not a valid gzip file (${(e as Error).message}); it may be truncated or damaged.`,
      )
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    throw new DatasetFileError(`${source} is not an IDX file (it does not start with the IDX magic number).`)
  const type = TYPES[bytes[2]!]
  if (!type)
    throw new DatasetFileError(`${source} has an unknown IDX element type 0x${bytes[2]!.toString(16)}.`)
  const rank = bytes[3]!
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const header = 4 + 4 * rank
  if (bytes.length < header) throw new DatasetFileError(`${source} is truncated: its header is incomplete.`)
  const shape = Array.from({ length: rank }, (_, i) => view.getInt32(4 + 4 * i, false))
  if (rank === 0 || shape.some((d) => d < 0))
    throw new DatasetFileError(
      `${source} has the dimensions [${shape.join(', ')}], which no IDX file has: it is damaged.`,
    )
  const count = shape.reduce((a, b) => a * b, 1)
  if (!Number.isSafeInteger(count * type.bytes))
    throw new DatasetFileError(
      `${source} claims ${shape.join('×')} values, more than any real file: it is damaged.`,
    )
  const need = header + count * type.bytes
  if (bytes.length < need)
    throw new DatasetFileError(
      `${source} is truncated: its header promises ${shape.join('×')} ${type.name} values (${need} bytes), but it has ${bytes.length} bytes.`,
    )
  if (type.bytes === 1)
    return {
      shape,
      data:
        type.name === 'uint8'
          ? bytes.subarray(header, need)
          : new Int8Array(bytes.buffer, bytes.byteOffset + header, count),
    }
  const read = {
    int16: (o: number) => view.getInt16(o, false),
    int32: (o: number) => view.getInt32(o, false),
    float32: (o: number) => view.getFloat32(o, false),
    float64: (o: number) => view.getFloat64(o, false),
  }[type.name as 'int16' | 'int32' | 'float32' | 'float64']
  const Out = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
    type.name as 'int16'
  ]
  const data = new Out(count)
  for (let i = 0; i < count; i++) data[i] = read(header + i * type.bytes)
  return { shape, data }
}

/** Writes an IDX file (big-endian), for tests and tools. */
export function writeIdx(
  shape: number[],
  data: ArrayLike<number>,
  type: 'uint8' | 'int32' | 'float32' = 'uint8',
): Uint8Array {
  const code = { uint8: 0x08, int32: 0x0c, float32: 0x0d }[type]
  const size = { uint8: 1, int32: 4, float32: 4 }[type]
  const out = new Uint8Array(4 + 4 * shape.length + data.length * size)
  const view = new DataView(out.buffer)
  out[2] = code
  out[3] = shape.length
  shape.forEach((d, i) => view.setInt32(4 + 4 * i, d, false))
  const o = 4 + 4 * shape.length
  for (let i = 0; i < data.length; i++) {
    if (type === 'uint8') out[o + i] = data[i]!
    else if (type === 'int32') view.setInt32(o + 4 * i, data[i]!, false)
    else view.setFloat32(o + 4 * i, data[i]!, false)
  }
  return out
}
