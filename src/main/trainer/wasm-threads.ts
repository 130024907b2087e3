// tfjs-backend-wasm's multi-threaded SIMD build in Node. tfjs 4.22 ships it but starts it only in
// browsers: in Node it reports no multithread support, and its loader is written for a page. Four
// things stand between it and Node, each handled here for the length of the backend's start only:
//   1. tfjs hands emscripten its pthread worker script and its own main script as Blob URLs, which
//      Node's worker_threads cannot load: the scripts are written to files (named by their hash) in
//      the temporary folder and the workers are given those paths.
//   2. The main script is the bundle's factory function as text: it names the modules the bundle
//      imported by rollup's names (require$$0 = fs, …), so the file defines them first.
//   3. XNNPACK caps its threads at half the logical cores (it assumes two hyperthreads a core), so on
//      a 2-core machine it would use one: the core count it reads is doubled while it starts.
//   4. WASM_HAS_MULTITHREAD_SUPPORT is set, since tfjs's own check answers false in Node.
// Checked against the installed bundle before anything is patched; any mismatch and the caller keeps
// the single-threaded build.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Tf } from './backends'

const require = createRequire(import.meta.url)

/** What the factory's text refers to by the names rollup gave the bundle's imports (tfjs 4.22.0). */
const PRELUDE =
  "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os'), commonjsGlobal = globalThis;\n"

/**
 * Why the threaded build cannot be started here, or null when it can: the bundle must be the one
 * these shims were written against.
 */
export function threadedWasmBlocker(): string | null {
  if (process.versions.electron) return "worker threads inside Electron's utility process are not tried"
  try {
    const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))
    const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }
    if (version !== '4.22.0')
      return `tfjs-backend-wasm ${version} is not the version (4.22.0) its loader was fitted to`
    const bundle = readFileSync(join(pkg, 'dist', 'tf-backend-wasm.node.js'), 'utf8')
    for (const needed of [
      "require$$0 = require('fs')",
      "require$$1 = require('path')",
      "require$$3 = require('perf_hooks')",
      "require$$4 = require('os')",
      'return require$$4.cpus().length',
      'var WasmBackendModuleThreadedSimd = ',
    ])
      if (!bundle.includes(needed)) return 'its bundle is not laid out as its loader expects'
    return null
  } catch (err) {
    return String((err as Error).message ?? err).split('\n')[0] ?? 'its bundle could not be read'
  }
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm')

/**
 * Starts tfjs's wasm backend from its threaded SIMD build with `threads` threads. Returns the thread
 * count XNNPACK reports. Everything patched is put back before it returns.
 */
export async function startThreadedWasm(tf: Tf, wasm: WasmModule, threads: number): Promise<number> {
  const os = require('node:os') as typeof import('node:os')
  const workerThreads = require('node:worker_threads') as {
    Worker: typeof import('node:worker_threads').Worker
  }
  const saved = {
    Blob: globalThis.Blob,
    createObjectURL: URL.createObjectURL,
    cpus: os.cpus,
    Worker: workerThreads.Worker,
  }
  const texts = new WeakMap<Blob, string>()
  const asFile = (blob: Blob): string | undefined => {
    const text = texts.get(blob)
    if (text === undefined || !/javascript/.test(blob.type)) return undefined
    const script = PRELUDE + text
    const file = join(
      tmpdir(),
      `netwright-wasm-${createHash('sha256').update(script).digest('hex').slice(0, 16)}.cjs`,
    )
    writeFileSync(file, script)
    return file
  }
  try {
    globalThis.Blob = class extends saved.Blob {
      constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
        super(parts, options)
        if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) texts.set(this, parts.join(''))
      }
    }
    URL.createObjectURL = (blob: Blob) => asFile(blob) ?? saved.createObjectURL(blob)
    const real = saved.cpus()
    os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]!)
    workerThreads.Worker = class extends saved.Worker {
      override postMessage(message: unknown, transfer?: readonly Transferable[]): void {
        const m = message as { cmd?: string; urlOrBlob?: unknown }
        if (m?.cmd === 'load' && m.urlOrBlob instanceof saved.Blob) {
          const file = asFile(m.urlOrBlob)
          if (file) message = { ...m, urlOrBlob: file }
        }
        super.postMessage(message, transfer as never)
      }
    }
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true)
    wasm.setThreadsCount(threads)
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded WebAssembly module failed to start')
    return wasm.getThreadsCount()
  } finally {
    globalThis.Blob = saved.Blob
    URL.createObjectURL = saved.createObjectURL
    os.cpus = saved.cpus
    workerThreads.Worker = saved.Worker
  }
}
