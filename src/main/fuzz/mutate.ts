// The fuzzer's mutations: a case is a small recipe (which base, which mutations) that builds a
// value, so fast-check keeps and prints the recipe, however deep the value it makes.
import fc from 'fast-check'
import { HOSTILE_STRINGS } from './hostile-strings'

/** A JSON value from outside: anything. */
export type Json = unknown

/**
 * JSON text for any value the fuzzer builds, however deep (JSON.stringify recurses and overflows
 * at a few thousand levels, which is what some cases are made of).
 */
export function toJsonText(v: Json): string {
  // The stack holds values still to write and, as Token, text to write when it comes up.
  class Token {
    constructor(readonly text: string) {}
  }
  const out: string[] = []
  const stack: Json[] = [v]
  while (stack.length) {
    const x = stack.pop()
    if (x instanceof Token) out.push(x.text)
    else if (Array.isArray(x)) {
      out.push('[')
      stack.push(new Token(']'))
      for (let i = x.length - 1; i >= 0; i--) {
        stack.push(x[i] === undefined ? null : x[i])
        if (i > 0) stack.push(new Token(','))
      }
    } else if (x && typeof x === 'object') {
      const entries = Object.entries(x).filter(([, y]) => y !== undefined)
      out.push('{')
      stack.push(new Token('}'))
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push(entries[i]![1])
        stack.push(new Token(`${JSON.stringify(entries[i]![0])}:`))
        if (i > 0) stack.push(new Token(','))
      }
    } else out.push(JSON.stringify(x) ?? 'null')
  }
  return out.join('')
}

/** Every path into a JSON value (arrays and objects), found without recursion. */
function paths(v: Json): (string | number)[][] {
  const out: (string | number)[][] = [[]]
  const stack: [Json, (string | number)[]][] = [[v, []]]
  while (stack.length) {
    const [x, p] = stack.pop()!
    if (Array.isArray(x))
      x.forEach((y, i) => {
        out.push([...p, i])
        stack.push([y, [...p, i]])
      })
    else if (x && typeof x === 'object')
      for (const [k, y] of Object.entries(x)) {
        out.push([...p, k])
        stack.push([y, [...p, k]])
      }
  }
  return out
}

const OPS = [
  'replace',
  'delete',
  'null',
  'duplicate',
  'string',
  'number',
  'deep',
  'empty',
  'swap-type',
] as const
export interface Mutation {
  pick: number
  op: (typeof OPS)[number]
  value: Json
  text: string
  n: number
}

const NUMBERS = [0, -1, 1e308, -1e308, 2 ** 53, 0.5, -0, 1e-320, 4294967296, 65536]

/** Applies mutations to a copy of `base`: each at a path picked from the value as it is then. */
export function mutate(base: Json, ms: Mutation[]): Json {
  let root = structuredClone(base)
  for (const m of ms) {
    const all = paths(root)
    const path = all[m.pick % all.length]!
    const replacement = (old: Json): Json | typeof DELETE => {
      switch (m.op) {
        case 'replace':
          return m.value
        case 'delete':
          return DELETE
        case 'null':
          return null
        case 'duplicate':
          return Array.isArray(old) && old.length ? [...old, old[m.n % old.length]] : old
        case 'string':
          return m.text
        case 'number':
          return NUMBERS[m.n % NUMBERS.length]
        case 'deep':
          return JSON.parse('['.repeat(50 + (m.n % 5000)) + ']'.repeat(50 + (m.n % 5000)))
        case 'empty':
          return Array.isArray(old) ? [] : typeof old === 'object' ? {} : ''
        case 'swap-type':
          return typeof old === 'number'
            ? String(old)
            : typeof old === 'string'
              ? old.length
              : Array.isArray(old)
                ? { ...old }
                : [old]
      }
    }
    if (!path.length) {
      const r = replacement(root)
      root = r === DELETE ? {} : r
      continue
    }
    let parent = root as Record<string | number, Json>
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>
    const key = path.at(-1)!
    const r = replacement(parent[key])
    if (r === DELETE) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1)
      else delete parent[key]
    } else parent[key] = r
  }
  return root
}
const DELETE = Symbol('delete')

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom(...OPS),
  value: fc.jsonValue({ maxDepth: 3 }),
  text: fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: 'binary', maxLength: 40 })),
  n: fc.nat(),
})

/**
 * How to make a case: a mutated copy of one of the bases, or (now and then) any JSON value at all.
 * The recipe is what fast-check keeps and shows, so a failing case prints small even when the value
 * it builds is nested thousands deep.
 */
export type Recipe = { base: number; ms: Mutation[] } | { json: Json }

export const recipeArb = (bases: number): fc.Arbitrary<Recipe> =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc.record({
        base: fc.nat(bases - 1),
        ms: fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ json: fc.jsonValue({ maxDepth: 4 }) }) },
  )

export const build = (bases: Json[], r: Recipe): Json => ('json' in r ? r.json : mutate(bases[r.base]!, r.ms))
