import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import type { BackendName } from '../../shared/graph/schema'
import type { BackendReport } from '../../shared/ipc/contract'
import { registerCpuFixes } from './cpu-kernels'
import { registerCustomLayers } from './custom-layers'
import { registerWasmHeapKernels } from './wasm-heap-kernels'
import { registerWasmGradients } from './wasm-kernels'
import { hasRelaxedSimd, registerWasmSimdKernels } from './wasm-simd'
import { startThreadedWasm, threadedWasmBlocker } from './wasm-threads'
import { findAdapter, startWebgpu } from './webgpu'
import { muted, quietTfjs, useCpu } from './quiet'

export { useCpu }

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

/**
 * How many threads the wasm backend uses: NETWRIGHT_WASM_THREADS, else one per physical core as
 * XNNPACK counts them (half the logical cores, up to 8). On this project's 2-core machines that is
 * one: there the threaded build measured no faster (a batch-128 MLP ~1.2x, batch 32 slower) and
 * takes ~0.6 s longer to start.
 */
function wasmThreads(): number {
  const asked = Number(process.env.NETWRIGHT_WASM_THREADS)
  if (process.env.NETWRIGHT_WASM_THREADS && Number.isInteger(asked) && asked >= 0) return Math.min(asked, 8)
  return Math.max(1, Math.min(Math.floor(availableParallelism() / 2), 8))
}

/**
 * Starts the wasm backend: its multi-threaded SIMD build where there are cores for it (see
 * wasm-threads.ts), else its single-threaded SIMD build. Returns what it runs as, or why it failed.
 */
async function tryWasm(tf: Tf): Promise<{ detail: string } | { why: string }> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm')
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/'
    wasm.setWasmPaths(dist)
    const threads = wasmThreads()
    let single =
      threads > 1
        ? threadedWasmBlocker()
        : process.env.NETWRIGHT_WASM_THREADS
          ? `NETWRIGHT_WASM_THREADS=${process.env.NETWRIGHT_WASM_THREADS}`
          : `${availableParallelism()} logical cores; threads from 4 up`
    let detail = ''
    if (single === null) {
      const got = await Promise.race([
        startThreadedWasm(tf, wasm, threads).catch((err: Error) => err),
        new Promise<Error>((r) =>
          setTimeout(() => r(new Error('it did not start within 30 s')), 30_000).unref(),
        ),
      ])
      if (typeof got === 'number') detail = `WebAssembly (SIMD, ${got} threads) on the CPU`
      else single = got.message
    }
    if (!detail) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
      if (!(await tf.setBackend('wasm'))) return { why: 'the WebAssembly module failed to start' }
      const fma = hasRelaxedSimd() ? "; Netwright's fused multiply-add products" : ''
      detail = `WebAssembly (SIMD, one thread: ${single}${fma}) on the CPU`
    }
    registerWasmGradients(tf)
    registerWasmHeapKernels(tf)
    registerWasmSimdKernels(tf)
    return { detail }
  } catch (err) {
    return { why: String((err as Error).message ?? err).split('\n')[0] ?? 'failed to load' }
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
    } else if (name === 'keras') {
      reports.push({ name, available: false, detail: 'Keras trains in its own Python process, not here' })
    } else if (name === 'webgl') {
      reports.push({
        name,
        available: false,
        detail: "WebGL runs only in the app's trainer window (Chromium), not in a Node process",
      })
    } else if (name === 'wasm') {
      const tf = await quietTfjs()
      const r = await tryWasm(tf)
      reports.push({ name, available: 'detail' in r, detail: 'detail' in r ? r.detail : r.why })
      if ('detail' in r) chosen = { tf, name, reports }
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
