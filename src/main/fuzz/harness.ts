// Property-based fuzzing (fast-check) of everything a user or a web page can hand Netwright:
// documents, Keras and TensorFlow.js model JSON files, IPC payloads and WebSocket frames. Shared by
// the bounded run in `npm test` (fuzz.test.ts) and the long one in `npm run fuzz` (run.ts).
//
// A crash is any uncaught exception, a stack trace in what the user reads, an `internal` error, or
// no answer in 10 s. Everything else (an answer, or a refusal in a sentence) passes.
import fc from 'fast-check'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parseDocument, serializeDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { EXPORT_FORMATS, requests, type WireError } from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { kerasModelJson } from '../export/keras-json'
import { HOSTILE_STRINGS } from './hostile-strings'
import { frame, httpRaw, raw, stillServing, wsRaw, type Target } from '../hosts/attacks'
import { browserService } from '../hosts/browser'
import { templatesDir } from '../hosts/paths'
import { startServer, type ServerHost } from '../hosts/server'
import type { Service } from '../service'
import { toWireError } from '../service/errors'

export const ANSWER_MS = 10_000

export type Verdict =
  { kind: 'answered' } | { kind: 'refused'; message: string } | { kind: 'crash'; why: string }

/** What a user reads must be sentences, not a stack trace. */
const STACK =
  /\n\s+at [^\n]+:\d+:\d+|^\w*Error: |Cannot read properties of|is not a function|is not iterable|Maximum call stack/

/** Runs one call and judges what came back. */
export async function judge(call: () => Promise<unknown>): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'crash', why: `no answer in ${ANSWER_MS / 1000} s` }), ANSWER_MS)
  })
  const outcome = call().then(
    (): Verdict => ({ kind: 'answered' }),
    (e: unknown): Verdict => {
      const w: WireError = toWireError(e)
      if (w.code === 'internal') return { kind: 'crash', why: `internal error: ${w.message}` }
      if (!w.message || STACK.test(w.message)) return { kind: 'crash', why: `not a sentence: ${w.message}` }
      return { kind: 'refused', message: w.message }
    },
  )
  try {
    return await Promise.race([outcome, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The templates, as the documents every mutation starts from. */
export function templateDocs(): NetDocument[] {
  const dir = templatesDir()
  return readdirSync(dir)
    .filter((f) => f.endsWith('.netwright.json'))
    .sort()
    .map((f) => parseDocument(readFileSync(join(dir, f), 'utf8')))
}

type Json = unknown

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
interface Mutation {
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

/** A Netwright service as the browser host runs it, in a fresh workspace, and never online. */
export function fuzzService(): { service: Service; workspace: string } {
  // Fuzzed requests name Keras datasets too; a fuzz run must never download them.
  globalThis.fetch = async () => {
    throw new TypeError('fetch failed', { cause: { code: 'offline during fuzzing' } })
  }
  const workspace = mkdtempSync(join(tmpdir(), 'netwright-fuzz-'))
  mkdirSync(join(workspace, 'models'))
  return { service: browserService(workspace), workspace }
}

/** One document, tried as the UI sends it (check, save, export) and as a file it opens. */
export async function tryDocument(s: Service, workspace: string, doc: Json, k: number): Promise<Verdict[]> {
  const format = EXPORT_FORMATS.filter((f) => f !== 'tfjs' && f !== 'png')[k % 4]!
  writeFileSync(join(workspace, 'models', 'fuzz.netwright.json'), toJsonText(doc))
  return Promise.all([
    judge(() => s.dispatch('model.check', { document: doc })),
    judge(() => s.dispatch('project.save', { path: 'saved/fuzz.netwright.json', document: doc })),
    judge(() => s.dispatch('export.model', { document: doc, format, folder: 'exports', name: 'fuzz' })),
    judge(() => s.dispatch('project.open', { path: 'models/fuzz.netwright.json' })),
  ])
}

/** The bases for model files: each template's Keras JSON, and the same as a tfjs model.json. */
export function modelJsonBases(): Json[] {
  const out: Json[] = []
  for (const d of templateDocs()) {
    const keras = JSON.parse(kerasModelJson(d)) as Json
    out.push(keras, {
      modelTopology: toKerasConfig(d),
      format: 'layers-model',
      weightsManifest: [
        { paths: ['w.bin'], weights: [{ name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }] },
      ],
    })
  }
  return out
}

/** A model file, written into the workspace (with a weights file beside it) and opened. */
export async function tryModelFile(s: Service, workspace: string, json: Json, k: number): Promise<Verdict> {
  const dir = join(workspace, 'models')
  writeFileSync(join(dir, 'model.json'), toJsonText(json))
  writeFileSync(join(dir, 'w.bin'), Buffer.alloc((k % 5) * 8))
  return judge(() => s.dispatch('project.open', { path: 'models/model.json' }))
}

/** A valid request for each call, the bases IPC payloads are mutated from. */
export function payloadBases(doc: NetDocument): Record<string, Json> {
  return {
    'model.check': { document: doc },
    'training.start': { document: doc, backend: 'cpu' },
    'training.stop': { runId: 'x' },
    'datasets.list': {},
    'datasets.prepare': { id: 'spirals' },
    'datasets.preview': { id: 'moons', options: { count: 50 }, seed: 1 },
    'system.info': {},
    'project.list': {},
    'project.open': { path: 'models/fuzz.netwright.json' },
    'project.save': { path: 'saved/p.netwright.json', document: doc },
    'export.model': { document: doc, format: 'keras-json', folder: 'exports', name: 'm' },
    'project.template': { name: 'shapes-mlp' },
    'project.templates': {},
    'dialog.open': {},
    'dialog.save': { suggestedName: 'x' },
    'dialog.openData': { kind: 'csv' },
    'dialog.chooseFolder': {},
  }
}

export const METHODS = Object.keys(requests)

/** An IPC payload: a call (or a made-up one) and a mutated or arbitrary request, as a recipe. */
export type PayloadRecipe = { method: string; ms: Mutation[] } | { method: Json; params: Json }

export const payloadArb: fc.Arbitrary<PayloadRecipe> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      method: fc.constantFrom(...Object.keys(requests)),
      ms: fc.array(mutationArb, { maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ method: fc.constantFrom(...Object.keys(requests)), params: fc.anything() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ method: fc.oneof(fc.string(), fc.jsonValue()), params: fc.jsonValue() }),
  },
)

export function buildPayload(doc: NetDocument, r: PayloadRecipe): { method: Json; params: Json } {
  if ('params' in r) return r
  const base = payloadBases(doc)[r.method as string]
  return { method: r.method, params: r.ms.length ? mutate(base, r.ms) : base }
}

/** One IPC payload through the service; a run it starts is stopped at once. */
export async function tryPayload(s: Service, p: { method: Json; params: Json }): Promise<Verdict> {
  const v = await judge(() => s.dispatch(p.method, p.params))
  if (s.runs.size) s.shutdown()
  return v
}

/** WebSocket frames and HTTP requests from bytes: what an attacker (or noise) sends the host. */
export const wireArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.record({
          opcode: fc.integer({ min: 0, max: 15 }),
          fin: fc.boolean(),
          rsv: fc.integer({ min: 0, max: 7 }),
          mask: fc.oneof(
            { weight: 9, arbitrary: fc.constant(true) },
            { weight: 1, arbitrary: fc.constant(false) },
          ),
          payload: fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc.jsonValue({ maxDepth: 3 }).map((j) => new TextEncoder().encode(JSON.stringify(j) ?? '')),
            fc
              .constantFrom(...METHODS)
              .map((m) => new TextEncoder().encode(JSON.stringify({ id: 1, method: m, params: {} }))),
          ),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((frames) => ({ kind: 'ws' as const, frames })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'X'),
        fc.string({ unit: 'binary-ascii', maxLength: 60 }),
        fc.boolean(),
      )
      .map(([method, path, token]) => ({ kind: 'http' as const, method, path, token })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 400 })
      .map((bytes) => ({ kind: 'bytes' as const, bytes })),
  },
)
export type Wire = typeof wireArb extends fc.Arbitrary<infer T> ? T : never

/** A host to send the wire cases to, with the same service as the rest of the fuzz. */
export async function fuzzHost(s: Service): Promise<{ host: ServerHost; target: Target }> {
  const staticDir = mkdtempSync(join(tmpdir(), 'netwright-fuzz-static-'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Netwright</title>')
  const host = await startServer({ service: s, staticDir })
  return { host, target: { port: host.port, token: host.token } }
}

/** Sends one wire case; the host must answer no call with an internal error and keep serving. */
export async function tryWire(t: Target, w: Wire): Promise<Verdict> {
  let reply: string
  if (w.kind === 'ws') {
    const r = await wsRaw(
      t,
      w.frames.map((f) => frame(f.opcode, Buffer.from(f.payload), f)),
      150,
    )
    reply = r.reply
  } else if (w.kind === 'http') {
    const target = w.path.replace(/[\r\n ]/g, '') || '/'
    reply = (
      await httpRaw(
        t,
        `${w.method} ${target}${w.token ? `${target.includes('?') ? '&' : '?'}token=${t.token}` : ''} HTTP/1.1`,
      )
    ).reply
  } else reply = (await raw(t, Buffer.from(w.bytes), 150)).toString('latin1')
  if (/"code":"internal"/.test(reply))
    return { kind: 'crash', why: `internal error in a reply: ${reply.slice(0, 200)}` }
  if (!(await stillServing(t))) return { kind: 'crash', why: 'the host stopped serving' }
  return { kind: 'answered' }
}

/**
 * Saves a 20 MB project over and over in a child process and kills it (SIGKILL) at a random moment,
 * `runs` times: the file must be the old project or a new one each time, never broken; then a service
 * starts on the folder and must leave no temporary file behind.
 */
export async function killDuringSave(runs: number): Promise<{
  keptOld: number
  keptNew: number
  broken: number
  litterBefore: number
  litterAfter: number
}> {
  const root = mkdtempSync(join(tmpdir(), 'netwright-kill9-'))
  const ws = join(root, 'workspace')
  mkdirSync(ws)
  const path = join(ws, 'big.netwright.json')
  const doc = templateDocs().find((d) => d.nodes.length === 4) ?? templateDocs()[0]!
  writeFileSync(path, serializeDocument({ ...doc, name: 'old', description: 'x'.repeat(20 * 1024 * 1024) }))
  const script = join(root, 'saver.mts')
  writeFileSync(
    script,
    `import { writeTextAtomic } from ${JSON.stringify(fileURLToPath(new URL('../service/files.ts', import.meta.url)))}
import { serializeDocument } from ${JSON.stringify(fileURLToPath(new URL('../../shared/graph/load.ts', import.meta.url)))}
const d = JSON.parse(process.argv.at(-1))
d.description = 'y'.repeat(20 * 1024 * 1024)
process.send?.('ready')
for (let i = 0; ; i++) { d.name = 'new ' + i; await writeTextAtomic(${JSON.stringify(path)}, serializeDocument(d)) }
`,
  )
  const out = { keptOld: 0, keptNew: 0, broken: 0, litterBefore: 0, litterAfter: 0 }
  for (let i = 0; i < runs; i++) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, JSON.stringify({ ...doc, description: '' })],
      {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    )
    await new Promise((r) => child.once('message', r))
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 400))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    try {
      const name = (JSON.parse(readFileSync(path, 'utf8')) as { name: string }).name
      if (name === 'old') out.keptOld++
      else if (name.startsWith('new ')) out.keptNew++
      else out.broken++
    } catch {
      out.broken++
    }
  }
  const temps = () => readdirSync(ws).filter((f) => f.endsWith('.tmp')).length
  out.litterBefore = temps()
  const s = browserService(ws)
  await s.swept
  s.shutdown()
  out.litterAfter = temps()
  return out
}
