import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { BackendName } from '../../shared/graph/schema'
import type { BackendReport } from '../../shared/ipc/contract'
import { registerCpuFixes } from './cpu-kernels'
import { registerCustomLayers } from './custom-layers'
import { registerWasmHeapKernels } from './wasm-heap-kernels'
import { registerWasmGradients } from './wasm-kernels'
import { findAdapter, startWebgpu } from './webgpu'

export type Tf = typeof import('@tensorflow/tfjs')

/**
 * The ladder, fastest first. The user can force any rung. webgpu is taken by itself only on a
 * hardware adapter: a software one (llvmpipe, SwiftShader) trains slower than wasm.
 */
export const LADDER: readonly BackendName[] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu']

const require = createRequire(import.meta.url)

/** Turns a failed import of a native tfjs package into a reason a user can act on. */
export function explainNativeFailure(pkg: string, err: unknown): string {
  const msg = String((err as Error)?.message ?? err)
  const code = (err as { code?: string })?.code
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && msg.includes(pkg))
    return 'not installed'
  if (/tfjs_binding\.node|libtensorflow|native addon/i.test(msg))
    return 'libtensorflow missing (the package is installed but its native library was not downloaded)'
  if (/libcud|CUDA|cudnn/i.test(msg)) return `CUDA libraries not found (${msg.split('\n')[0]})`
  return msg.split('\n')[0] ?? 'failed to load'
}

async function tryNative(pkg: string): Promise<{ tf?: Tf; detail: string }> {
  try {
    // A second native package re-registers every kernel and says so once per kernel; mute that.
    const tf = await muted(() => import(/* @vite-ignore */ pkg) as Promise<Tf>)
    await tf.ready()
    return { tf, detail: `libtensorflow ${tf.version?.['tfjs-core'] ?? ''}`.trim() }
  } catch (err) {
    return { detail: explainNativeFailure(pkg, err) }
  }
}

async function tryWasm(tf: Tf): Promise<string | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm')
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/'
    wasm.setWasmPaths(dist)
    if (!(await tf.setBackend('wasm'))) return 'the WebAssembly module failed to start'
    registerWasmGradients(tf)
    registerWasmHeapKernels(tf)
    return null
  } catch (err) {
    return String((err as Error).message ?? err).split('\n')[0] ?? 'failed to load'
  }
}

async function tryWebgpu(forced: boolean): Promise<{ tf?: Tf; report: BackendReport }> {
  const found = await findAdapter()
  if ('reason' in found) return { report: { name: 'webgpu', available: false, detail: found.reason } }
  const adapter = found.description
  if (adapter.software && !forced)
    return {
      report: {
        name: 'webgpu',
        available: false,
        adapter,
        detail: `only a software adapter, ${adapter.name} (${adapter.driver}), which trains slower than the CPU backends (use it anyway with --backend webgpu)`,
      },
    }
  const tf = await quietTfjs()
  const why = await startWebgpu(tf, found)
  if (why !== null) return { report: { name: 'webgpu', available: false, adapter, detail: why } }
  const kind = adapter.software ? 'a software adapter (the CPU, slowly)' : 'the GPU'
  return {
    tf,
    report: {
      name: 'webgpu',
      available: true,
      adapter,
      detail: `WebGPU on ${kind}: ${adapter.name} (${adapter.driver})`,
    },
  }
}

async function muted<T>(f: () => Promise<T>): Promise<T> {
  const { warn, log } = console
  console.warn = console.log = () => {}
  try {
    return await f()
  } finally {
    console.warn = warn
    console.log = log
  }
}

/** Switches to the cpu backend, without the advertisement tfjs prints when it starts it in Node. */
export const useCpu = (tf: Tf): Promise<boolean> => muted(() => tf.setBackend('cpu'))

// Plain @tensorflow/tfjs prints an advertisement for tfjs-node when imported in Node; we report
// the backend ourselves, so keep the trainer's output to what we say.
// PROD also silences the notice the cpu backend prints on its first use.
const quietTfjs = (): Promise<Tf> =>
  muted(async () => {
    const tf = await import('@tensorflow/tfjs')
    tf.env().set('PROD', true)
    return tf
  })

export interface ChosenBackend {
  tf: Tf
  name: BackendName
  reports: BackendReport[]
}

/**
 * Walks the ladder from the top (or starts at the forced rung) and returns the first backend that
 * works, with an honest report of every rung: what it runs on, or why it could not be used.
 */
export async function chooseBackend(forced?: BackendName): Promise<ChosenBackend> {
  const reports: BackendReport[] = []
  let chosen: ChosenBackend | undefined
  const rungs = forced ? [forced] : LADDER
  for (const name of rungs) {
    if (chosen) {
      reports.push({ name, available: true, detail: 'not needed: a faster backend was found' })
      continue
    }
    if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
      const pkg = name === 'tfjs-node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'
      const r = await tryNative(pkg)
      reports.push({ name, available: !!r.tf, detail: r.detail })
      if (r.tf) chosen = { tf: r.tf, name, reports }
    } else if (name === 'webgpu') {
      const r = await tryWebgpu(!!forced)
      reports.push(r.report)
      if (r.tf) chosen = { tf: r.tf, name, reports }
    } else if (name === 'webgl') {
      reports.push({
        name,
        available: false,
        detail: "WebGL runs only in the app's trainer window (Chromium), not in a Node process",
      })
    } else if (name === 'wasm') {
      const tf = await quietTfjs()
      const why = await tryWasm(tf)
      reports.push({ name, available: why === null, detail: why ?? 'WebAssembly (SIMD) on the CPU' })
      if (why === null) chosen = { tf, name, reports }
    } else {
      const tf = await quietTfjs()
      await useCpu(tf)
      reports.push({ name, available: true, detail: 'pure JavaScript on the CPU (slowest)' })
      chosen = { tf, name, reports }
    }
  }
  if (!chosen) {
    const r = reports[0]!
    throw new Error(`The ${r.name} backend is not available here: ${r.detail}.`)
  }
  registerCpuFixes(chosen.tf)
  registerCustomLayers(chosen.tf)
  return chosen
}
