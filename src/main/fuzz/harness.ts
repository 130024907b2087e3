// Property-based fuzzing (fast-check) of everything a user or a web page can hand Netwright:
// documents, Keras and TensorFlow.js model JSON files, IPC payloads and WebSocket frames. Shared by
// the bounded run in `npm test` (fuzz.test.ts) and the long one in `npm run fuzz` (run.ts).
//
// A crash is any uncaught exception, a stack trace in what the user reads, an `internal` error, or
// no answer in 10 s. Everything else (an answer, or a refusal in a sentence) passes.
import fc from 'fast-check'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import {
  EXPORT_FORMATS,
  requests,
  WEIGHT_FORMATS,
  type Method,
  type WireError,
} from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { kerasModelJson } from '../export/keras-json'
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

import { mutate, mutationArb, toJsonText, type Json, type Mutation } from './mutate'

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
  const format = EXPORT_FORMATS.filter((f) => !WEIGHT_FORMATS.includes(f) && f !== 'png')[k % 4]!
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
export function payloadBases(doc: NetDocument): Record<Method, Json> {
  return {
    'model.check': { document: doc },
    'training.start': { document: doc, backend: 'cpu' },
    'training.stop': { runId: 'x' },
    'training.pause': { runId: 'x' },
    'training.resume': { runId: 'x' },
    'datasets.list': {},
    'datasets.prepare': { id: 'spirals' },
    'datasets.preview': { id: 'moons', options: { count: 50 }, seed: 1 },
    'datasets.samples': { id: 'moons', options: { count: 50 }, seed: 1, split: 'test', indices: [0, 3] },
    'model.evaluate': { document: doc, runId: 'x' },
    'model.inspect': { document: doc, runId: 'x', split: 'test', index: 0 },
    'model.learningRates': { document: doc },
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
    'dialog.launched': {},
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
  const base = payloadBases(doc)[r.method as Method]
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
