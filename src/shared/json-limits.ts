// Bounds on JSON that comes from outside (a file, an IPC payload, a WebSocket frame). JSON.parse
// accepts a million levels of nesting, but JSON.stringify, structured cloning and every recursive walk
// overflow the stack long before that. So a value is measured, without recursion, before anything
// walks it.

/** How deep and how large a value from outside may be. */
export interface JsonBounds {
  /** Levels of arrays and objects (a document is about 6 deep; a Keras 3 model JSON about 20). */
  maxDepth: number
  /** Values in all (arrays, objects and scalars). */
  maxValues: number
}

export const REQUEST_BOUNDS: JsonBounds = { maxDepth: 64, maxValues: 4_000_000 }
export const FILE_BOUNDS: JsonBounds = { maxDepth: 128, maxValues: 8_000_000 }

/**
 * Why a value is out of bounds, in words, or null when it is within them. Iterative, and it stops
 * at the first excess, so a hostile value costs at most `maxValues` steps.
 */
export function jsonOutOfBounds(value: unknown, b: JsonBounds): string | null {
  const stack: [unknown, number][] = [[value, 1]]
  let seen = 0
  while (stack.length) {
    const [v, depth] = stack.pop()!
    if (++seen > b.maxValues) return `it holds more than ${b.maxValues.toLocaleString('en-US')} values`
    if (typeof v !== 'object' || v === null) continue
    if (depth > b.maxDepth) return `it is nested more than ${b.maxDepth} levels deep`
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1])
    else for (const k in v) stack.push([(v as Record<string, unknown>)[k], depth + 1])
  }
  return null
}

/**
 * A short, safe rendering of any value for a message: never recursive beyond what it prints,
 * never longer than `max` characters.
 */
export function showValue(v: unknown, max = 80): string {
  let text: string
  if (typeof v === 'string') text = JSON.stringify(v.length > max ? v.slice(0, max) : v)
  else if (typeof v !== 'object' || v === null) text = String(v)
  else if (jsonOutOfBounds(v, { maxDepth: 6, maxValues: 200 }) !== null)
    text = Array.isArray(v) ? `a list of ${v.length}` : 'an object'
  else text = JSON.stringify(v) ?? String(v)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
