// What Netwright's WebAssembly SIMD kernels share: the modules (kernels*.wat and the gemm that
// scripts/gemm-wat.mjs writes, assembled into kernels-wasm.ts) instantiated on tfjs-backend-wasm's
// own memory, so they read and write tensors where wasm keeps them, and one gemm call's set-up.
import { setFlagsFromString } from 'node:v8'
import { GEMM_WASM, KERNELS_SHARED_WASM, KERNELS_WASM } from './kernels-wasm'

export type Info = import('@tensorflow/tfjs').TensorInfo
export interface WasmBackend {
  makeOutput(shape: number[], dtype: string): Info
  typedArrayFromHeap(info: Info): Float32Array
  disposeData(dataId: object): void
  incRef(dataId: object): void
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory }
}
export type KernelFunc = (args: {
  inputs: Record<string, Info>
  backend: WasmBackend
  attrs: Record<string, unknown>
}) => Info | Info[]

export interface Kernels {
  adam(...args: number[]): void
  maxPoolGrad(...args: number[]): void
  columnSum(...args: number[]): void
  rowOp(...args: number[]): void
  reluGrad(...args: number[]): void
  reluGradSum(...args: number[]): void
  patchRows(...args: number[]): void
  narrowDot(...args: number[]): void
  narrowCombine(...args: number[]): void
  narrowUpdate(...args: number[]): void
}
export interface Gemm {
  gemm(...args: number[]): void
}

const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, 'base64'))
let relaxed: boolean | undefined

/** Whether this runtime compiles relaxed SIMD (Node 20 behind a V8 flag, which we set; Node 22 on). */
export function hasRelaxedSimd(): boolean {
  if (relaxed === undefined) {
    const gemm = bytes(GEMM_WASM)
    if (!WebAssembly.validate(gemm)) setFlagsFromString('--experimental-wasm-relaxed-simd')
    relaxed = WebAssembly.validate(gemm)
  }
  return relaxed
}

/**
 * The backend's memory: the single-threaded build exports it (asm.memory), the threaded build makes
 * it shared and keeps it as wasmMemory. Null when neither is there (another tfjs-backend-wasm).
 */
export function memoryOf(backend: unknown): WebAssembly.Memory | null {
  const wasm = (backend as Partial<WasmBackend> | null)?.wasm
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory
  return memory instanceof WebAssembly.Memory ? memory : null
}

/** The modules instantiated on a backend's memory, once per memory. */
const instances = new WeakMap<WebAssembly.Memory, { kernels: Kernels; gemm: Gemm | null }>()
export function on(backend: WasmBackend) {
  const memory = memoryOf(backend)!
  let got = instances.get(memory)
  if (!got) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer
    const make = <T>(b64: string) =>
      new WebAssembly.Instance(new WebAssembly.Module(bytes(b64)), { env: { memory } })
        .exports as unknown as T
    got = {
      kernels: make<Kernels>(shared ? KERNELS_SHARED_WASM : KERNELS_WASM),
      gemm: !shared && hasRelaxedSimd() ? make<Gemm>(GEMM_WASM) : null,
    }
    instances.set(memory, got)
  }
  return got
}

/** Where a tensor's bytes start in the heap (views are taken after every allocation). */
export const at = (backend: WasmBackend, t: Info) => backend.typedArrayFromHeap(t).byteOffset
export const size = (t: Info) => (t.shape as number[]).reduce((a, b) => a * b, 1)

/** The k block of scripts/gemm-wat.mjs (KC): its packA scratch holds M rows of it. */
export const KC = 256

/** Scratch for one gemm call: b's panel block and a's block. The caller disposes them. */
export const packs = (backend: WasmBackend, M: number, K: number) => [
  backend.makeOutput([Math.min(K, KC) * 8], 'float32'),
  backend.makeOutput([Math.max(1, M * Math.min(K, KC))], 'float32'),
]

/**
 * One call of the gemm per batch entry: c = start + op(a)·op(b), op(a) [ba×M×K] (stored [ba×K×M]
 * when ta), op(b) [bb×K×N] (stored [bb×N×K] when tb); a batch of 1 broadcasts.
 */
export function runGemm(
  gemm: Gemm,
  backend: WasmBackend,
  a: { t: Info; transposed: boolean },
  b: { t: Info; transposed: boolean },
  out: Info,
  d: { batch: number; ba: number; bb: number; M: number; K: number; N: number },
  bias: Info | null,
  relu: boolean,
): void {
  const { batch, ba, bb, M, K, N } = d
  const scratch = packs(backend, M, K)
  try {
    const [pa, pb, pc, pB, pA] = [a.t, b.t, out, ...scratch].map((t) => at(backend, t)) as number[]
    for (let i = 0; i < batch; i++)
      gemm.gemm(
        pa! + (ba === 1 ? 0 : i * M * K * 4),
        pb! + (bb === 1 ? 0 : i * K * N * 4),
        pc! + i * M * N * 4,
        bias ? at(backend, bias) : 0,
        pB!,
        pA!,
        M,
        K,
        N,
        bias ? 1 : 0,
        relu ? 1 : 0,
        a.transposed ? 1 : 0,
        b.transposed ? 1 : 0,
        a.transposed ? M : K,
        b.transposed ? K : N,
      )
  } finally {
    for (const t of scratch) backend.disposeData(t.dataId)
  }
}
