// A restricted unpickler: it reads what the Keras dataset files hold (CIFAR's Python 2 batches, and the
// object arrays inside IMDB's and Reuters' .npz files) and refuses everything else. It never calls
// Python code: the only "globals" it accepts are numpy's array reconstruction, interpreted here.
import { DatasetFileError } from './idx'

/** Python 2 str / Python 3 bytes, kept as bytes. */
export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
  toString(): string {
    return new TextDecoder('latin1').decode(this.bytes)
  }
}

/** A numpy array from a pickle: numbers as a typed array, or Python objects (dtype object) as a list. */
export interface PickledArray {
  kind: 'ndarray'
  shape: number[]
  dtype: string
  data:
    Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | unknown[]
}

type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyBytes
  | PyValue[]
  | Map<unknown, PyValue>
  | PickledArray
  | Special
interface Special {
  kind: 'global' | 'dtype' | 'reconstruct'
  name?: string
  descr?: string
}

const ALLOWED = new Set([
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.ndarray',
  'numpy.dtype',
  // How Python 3 writes bytes in protocol 2: _codecs.encode(text, 'latin1'). Pure data.
  '_codecs.encode',
])

const SIZES: Record<string, number> = { b1: 1, u1: 1, i1: 1, i2: 2, i4: 4, i8: 8, f4: 4, f8: 8 }

function typed(
  descr: string,
  order: string,
  raw: Uint8Array,
  count: number,
  where: string,
): PickledArray['data'] {
  const size = SIZES[descr]
  if (!size)
    throw new DatasetFileError(`${where} holds a numpy array of dtype ${descr}, which Netwright cannot read.`)
  if (raw.length < count * size)
    throw new DatasetFileError(`${where} is truncated: an array's data is shorter than its shape.`)
  const bytes = raw.slice(0, count * size)
  if (order === '>' && size > 1)
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse()
  switch (descr) {
    case 'b1':
    case 'u1':
      return bytes
    case 'i1':
      return new Int8Array(bytes.buffer)
    case 'i2':
      return new Int16Array(bytes.buffer)
    case 'i4':
      return new Int32Array(bytes.buffer)
    case 'i8':
      return new BigInt64Array(bytes.buffer)
    case 'f4':
      return new Float32Array(bytes.buffer)
    default:
      return new Float64Array(bytes.buffer)
  }
}

/** Unpickles protocols 2 to 5, accepting only data: numbers, strings, bytes, lists, tuples, dicts, numpy arrays. */
export function unpickle(buf: Uint8Array, where = 'The pickle'): unknown {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const stack: PyValue[] = []
  const marks: number[] = []
  const memo = new Map<number, PyValue>()
  let pos = 0
  const need = (n: number) => {
    if (pos + n > buf.length)
      throw new DatasetFileError(`${where} is truncated (it ends in the middle of its data).`)
  }
  const u8 = () => (need(1), buf[pos++]!)
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true))
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true))
  const u64 = () => (need(8), (pos += 8), Number(view.getBigUint64(pos - 8, true)))
  const bytes = (n: number) => (need(n), (pos += n), buf.subarray(pos - n, pos))
  const utf8 = (n: number) => new TextDecoder().decode(bytes(n))
  const line = () => {
    const end = buf.indexOf(0x0a, pos)
    if (end < 0) throw new DatasetFileError(`${where} is truncated.`)
    const s = new TextDecoder('latin1').decode(buf.subarray(pos, end))
    pos = end + 1
    return s
  }
  const popMark = (): PyValue[] => {
    const m = marks.pop()
    if (m === undefined) throw new DatasetFileError(`${where} is damaged (no MARK on the stack).`)
    return stack.splice(m)
  }
  const pop = (): PyValue => {
    if (!stack.length) throw new DatasetFileError(`${where} is damaged (the stack is empty).`)
    return stack.pop()!
  }
  const key = (k: PyValue): unknown => (k instanceof PyBytes ? k.toString() : k)
  const global = (name: string): Special => {
    if (!ALLOWED.has(name))
      throw new DatasetFileError(
        `${where} asks for the Python object ${name}; Netwright only loads data (numpy arrays, lists, dicts, numbers).`,
      )
    return { kind: 'global', name }
  }
  const call = (fn: PyValue, args: PyValue[]): PyValue => {
    const name = (fn as Special)?.name
    if (name === 'numpy.dtype') {
      const d = args[0]
      return { kind: 'dtype', descr: d instanceof PyBytes ? d.toString() : String(d) }
    }
    if (name?.endsWith('_reconstruct'))
      return { kind: 'ndarray', shape: [0], dtype: '', data: new Uint8Array() }
    if (name === '_codecs.encode') {
      const [text, encoding] = args as [string, string]
      if (encoding !== 'latin1' && encoding !== 'latin-1')
        throw new DatasetFileError(`${where} encodes bytes as ${encoding}, which Netwright does not read.`)
      return new PyBytes(Uint8Array.from(String(text), (c) => c.charCodeAt(0)))
    }
    throw new DatasetFileError(`${where} calls ${String(name)}, which Netwright does not allow.`)
  }
  const build = (obj: PyValue, state: PyValue): PyValue => {
    const o = obj as Special | PickledArray
    if (o?.kind === 'dtype') {
      const order = String((state as PyValue[])[1] ?? '|')
      ;(o as Special).descr = `${order === '|' ? '' : order}${(o as Special).descr}`
      return o
    }
    if (o?.kind === 'ndarray') {
      const [, shape, dtype, , raw] = (Array.isArray(state) ? state : []) as [
        number,
        PyValue[],
        Special,
        boolean,
        PyValue,
      ]
      if (
        !Array.isArray(shape) ||
        !shape.every((d) => Number.isSafeInteger(Number(d)) && Number(d) >= 0) ||
        (dtype as Special | undefined)?.kind !== 'dtype'
      )
        throw new DatasetFileError(`${where} holds a numpy array whose shape or dtype is damaged.`)
      const a = o as PickledArray
      a.shape = shape.map(Number)
      if (!Number.isSafeInteger(a.shape.reduce((x, y) => x * y, 1)))
        throw new DatasetFileError(`${where} holds a numpy array too large to be real.`)
      const descr = dtype.descr ?? ''
      const order = /^[<>=|]/.test(descr) ? descr[0]! : '<'
      const base = descr.replace(/^[<>=|]/, '')
      a.dtype = base
      const count = a.shape.reduce((x, y) => x * y, 1)
      if (/^O\d*$/.test(base)) a.data = raw as PyValue[]
      else
        a.data = typed(
          base,
          order,
          raw instanceof PyBytes ? raw.bytes : new TextEncoder().encode(String(raw)),
          count,
          where,
        )
      return a
    }
    throw new DatasetFileError(`${where} builds an object Netwright does not know.`)
  }

  for (;;) {
    const op = u8()
    switch (op) {
      case 0x80: // PROTO
        u8()
        break
      case 0x95: // FRAME
        u64()
        break
      case 0x2e: // STOP
        return stack.pop()
      case 0x28: // MARK
        marks.push(stack.length)
        break
      case 0x30: // POP
        pop()
        break
      case 0x31: // POP_MARK
        popMark()
        break
      case 0x4e: // NONE
        stack.push(null)
        break
      case 0x88:
        stack.push(true)
        break
      case 0x89:
        stack.push(false)
        break
      case 0x4a: // BININT
        need(4)
        stack.push(view.getInt32(pos, true))
        pos += 4
        break
      case 0x4b: // BININT1
        stack.push(u8())
        break
      case 0x4d: // BININT2
        stack.push(u16())
        break
      case 0x8a: // LONG1
      case 0x8b: {
        const n = op === 0x8a ? u8() : u32()
        const b = bytes(n)
        let v = 0n
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!)
        if (n && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n)
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
        )
        break
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8)
        stack.push(view.getFloat64(pos, false))
        pos += 8
        break
      case 0x54: // BINSTRING
        stack.push(new PyBytes(bytes(u32())))
        break
      case 0x55: // SHORT_BINSTRING
        stack.push(new PyBytes(bytes(u8())))
        break
      case 0x42: // BINBYTES
        stack.push(new PyBytes(bytes(u32())))
        break
      case 0x43: // SHORT_BINBYTES
        stack.push(new PyBytes(bytes(u8())))
        break
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new PyBytes(bytes(u64())))
        break
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()))
        break
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()))
        break
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()))
        break
      case 0x5d: // EMPTY_LIST
        stack.push([])
        break
      case 0x6c: // LIST
        stack.push(popMark())
        break
      case 0x61: {
        // APPEND
        const v = pop()
        ;(stack.at(-1) as PyValue[]).push(v)
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        ;(stack.at(-1) as PyValue[]).push(...items)
        break
      }
      case 0x29: // EMPTY_TUPLE
        stack.push([])
        break
      case 0x74: // TUPLE
        stack.push(popMark())
        break
      case 0x85:
      case 0x86:
      case 0x87: {
        const n = op - 0x84
        stack.push(stack.splice(stack.length - n))
        break
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map())
        break
      case 0x64: {
        // DICT
        const items = popMark()
        const m = new Map<unknown, PyValue>()
        for (let i = 0; i < items.length; i += 2) m.set(key(items[i]!), items[i + 1]!)
        stack.push(m)
        break
      }
      case 0x73: {
        // SETITEM
        const v = pop()
        const k = pop()
        ;(stack.at(-1) as Map<unknown, PyValue>).set(key(k), v)
        break
      }
      case 0x75: {
        // SETITEMS
        const items = popMark()
        const m = stack.at(-1) as Map<unknown, PyValue>
        for (let i = 0; i < items.length; i += 2) m.set(key(items[i]!), items[i + 1]!)
        break
      }
      case 0x63: // GLOBAL
        stack.push(global(`${line()}.${line()}`))
        break
      case 0x93: {
        // STACK_GLOBAL
        const name = pop()
        const mod = pop()
        stack.push(global(`${String(mod)}.${String(name)}`))
        break
      }
      case 0x52: {
        // REDUCE
        const args = pop() as PyValue[]
        stack.push(call(pop(), args))
        break
      }
      case 0x81: {
        // NEWOBJ
        const args = pop() as PyValue[]
        stack.push(call(pop(), args))
        break
      }
      case 0x62: {
        // BUILD
        const state = pop()
        stack.push(build(pop(), state))
        break
      }
      case 0x71: // BINPUT
        memo.set(u8(), stack.at(-1)!)
        break
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack.at(-1)!)
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack.at(-1)!)
        break
      case 0x68: // BINGET
        stack.push(memo.get(u8())!)
        break
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(u32())!)
        break
      default:
        throw new DatasetFileError(
          `${where} uses the pickle opcode 0x${op.toString(16)}, which Netwright does not read.`,
        )
    }
  }
}
