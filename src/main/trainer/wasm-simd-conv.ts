// Netwright's wasm kernels for convolutional training: MaxPool's gradient (kernels-conv.wat) and Conv2D's
// filter gradient as products (the gemm). Registered by wasm-simd.ts; checked in wasm-simd.test.ts.
import type { Tf } from './backends'
import { poolInfo } from './wasm-heap-kernels'
import { filterGradInfo } from './wasm-kernels'
import {
  at,
  on,
  packs,
  size,
  type Gemm,
  type Info,
  type KernelFunc,
  type WasmBackend,
} from './wasm-simd-core'

/**
 * MaxPool's gradient over the wasm heap, four channels a vector, when the channels come in fours
 * (else the heap kernel in JavaScript, `original`); the same windows, ties and order of additions.
 * Windows side by side (the usual 2×2 at stride 2) write dx whole, with no zeroing first (4.7 ms
 * -> 3.3 ms for the bench's CNN).
 */
export function maxPoolGrad(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: Info; input: Info }
    const C = (input.shape as number[])[3]!
    if (input.dtype !== 'float32' || input.shape.length !== 4 || C % 4 !== 0) return original(args)
    const { attrs, backend } = args
    const c = poolInfo(tf, input, attrs)
    const dx = backend.makeOutput(input.shape as number[], 'float32')
    // Windows side by side inside x (2×2 at stride 2, valid): each writes its part of dx whole, and
    // dx is zeroed first only where some of it lies outside every window.
    const spanH = c.outHeight * c.strideHeight
    const spanW = c.outWidth * c.strideWidth
    const tiled =
      c.strideHeight === c.effectiveFilterHeight &&
      c.strideWidth === c.effectiveFilterWidth &&
      c.dilationHeight === 1 &&
      c.dilationWidth === 1 &&
      c.padInfo.top === 0 &&
      c.padInfo.left === 0 &&
      spanH <= c.inHeight &&
      spanW <= c.inWidth
    if (!tiled || spanH < c.inHeight || spanW < c.inWidth) backend.typedArrayFromHeap(dx).fill(0)
    if (size(dx) > 0 && size(dy) > 0)
      on(backend).kernels.maxPoolGrad(
        at(backend, input),
        at(backend, dy),
        at(backend, dx),
        c.batchSize,
        c.inHeight,
        c.inWidth,
        C,
        c.outHeight,
        c.outWidth,
        c.effectiveFilterHeight,
        c.effectiveFilterWidth,
        c.strideHeight,
        c.strideWidth,
        c.dilationHeight,
        c.dilationWidth,
        c.padInfo.top,
        c.padInfo.left,
        tiled ? 1 : 0,
      )
    return dx
  }
}

/** Positions a chunk of the filter gradient's sum covers: its patches stay about 4 MB. */
const chunkOf = (rows: number) => Math.max(64, Math.floor((1 << 20) / rows))

/**
 * Conv2D's filter gradient as a product: dW[(kh, kw, ci), co] = Σ over positions p of
 * patch[p, (kh, kw, ci)] · dy[p, co], with p over batch × output rows × columns. The patches are laid
 * out transposed ([kh·kw·ci, p], a chunk of positions at a time) so that dy's rows, as wasm keeps
 * them, are the right operand; the chunks' products add up in dW; kernels-conv.wat's patchRows lays the
 * patches out. (wasm ran this as one convolution with dy as the filter: 26 ms for the bench's CNN,
 * batch 128; this is ~3.3 ms, 2.3 of them the product.)
 */
export function conv2DBackpropFilter(tf: Tf, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: Info; dy: Info }
    const { backend, attrs } = args
    const gemm = on(backend).gemm
    const dataFormat = attrs.dataFormat as string | undefined
    if (!gemm || x.dtype !== 'float32' || (dataFormat && dataFormat !== 'NHWC')) return original(args)
    const filterShape = attrs.filterShape as [number, number, number, number]
    const info = filterGradInfo(tf, x, attrs)
    const [kh, kw, cin, cout] = filterShape
    const rows = kh * kw * cin
    const positions = info.batchSize * info.outHeight * info.outWidth
    if (cout < 8 || rows === 0) return original(args)
    const dw = backend.makeOutput(filterShape, 'float32')
    if (positions === 0) {
      backend.typedArrayFromHeap(dw).fill(0)
      return dw
    }
    if (cin >= 8) {
      shifted(gemm, backend, { x, dy, dw }, info, filterShape)
      return dw
    }
    const chunk = Math.min(positions, chunkOf(rows))
    const patches = backend.makeOutput([rows, chunk], 'float32')
    const scratch = packs(backend, rows, chunk)
    try {
      for (let p0 = 0; p0 < positions; p0 += chunk) {
        const n = Math.min(chunk, positions - p0)
        on(backend).kernels.patchRows(
          at(backend, x),
          at(backend, patches),
          p0,
          n,
          info.inHeight,
          info.inWidth,
          cin,
          info.outHeight,
          info.outWidth,
          kw,
          info.strideHeight,
          info.strideWidth,
          info.padInfo.top,
          info.padInfo.left,
          rows,
        )
        gemm.gemm(
          at(backend, patches),
          at(backend, dy) + p0 * cout * 4,
          at(backend, dw),
          0,
          at(backend, scratch[0]!),
          at(backend, scratch[1]!),
          rows,
          n,
          cout,
          p0 === 0 ? 0 : 2,
          0,
          0,
          0,
          n,
          cout,
        )
      }
    } finally {
      backend.disposeData(patches.dataId)
      for (const t of scratch) backend.disposeData(t.dataId)
    }
    return dw
  }
}

/**
 * The filter gradient with many input channels: for each filter offset (fy, fx),
 * dW[fy, fx] = Σ over positions p of x[p shifted by (fy, fx)]ᵀ · dy[p], a [cin × cout] product whose
 * left operand is x's channel rows at the shifted positions (copied a run of an output row at a
 * time: whole rows of channels, not one number at a time) read as stored transposed.
 */
function shifted(
  gemm: Gemm,
  backend: WasmBackend,
  t: { x: Info; dy: Info; dw: Info },
  info: import('@tensorflow/tfjs').backend_util.Conv2DInfo,
  [kh, kw, cin, cout]: [number, number, number, number],
): void {
  const { batchSize: B, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info
  const { strideHeight: sh, strideWidth: sw } = info
  const { top, left } = info.padInfo
  const positions = B * OH * OW
  // About 256 KB of rows at a time (the L2 cache's share), 64 positions at least.
  const chunk = Math.min(positions, Math.max(64, Math.floor((1 << 16) / cin)))
  const rowsOf = backend.makeOutput([chunk, cin], 'float32')
  const scratch = packs(backend, cin, chunk)
  try {
    for (let p0 = 0; p0 < positions; p0 += chunk) {
      const n = Math.min(chunk, positions - p0)
      for (let fy = 0; fy < kh; fy++)
        for (let fx = 0; fx < kw; fx++) {
          // Views taken after the allocations (they can grow, and so move, the heap).
          const xs = backend.typedArrayFromHeap(t.x)
          const out = backend.typedArrayFromHeap(rowsOf)
          for (let q = 0, p = p0; q < n;) {
            const b = Math.floor(p / (OH * OW))
            const ox0 = p % OW
            const run = Math.min(OW - ox0, n - q)
            const iy = (Math.floor(p / OW) % OH) * sh + fy - top
            const to = q * cin
            if (iy < 0 || iy >= H) out.fill(0, to, to + run * cin)
            else {
              const base = (b * H + iy) * W
              // The output columns whose input column lies inside x: [lo, hi) of this run.
              const lo = Math.min(run, Math.max(0, Math.ceil((left - fx) / sw) - ox0))
              const hi = Math.max(lo, Math.min(run, Math.ceil((W + left - fx) / sw) - ox0))
              out.fill(0, to, to + lo * cin)
              out.fill(0, to + hi * cin, to + run * cin)
              if (sw === 1) {
                const from = (base + ox0 + lo + fx - left) * cin
                out.set(xs.subarray(from, from + (hi - lo) * cin), to + lo * cin)
              } else
                for (let k = lo; k < hi; k++) {
                  const from = (base + (ox0 + k) * sw + fx - left) * cin
                  out.set(xs.subarray(from, from + cin), to + k * cin)
                }
            }
            q += run
            p += run
          }
          gemm.gemm(
            at(backend, rowsOf),
            at(backend, t.dy) + p0 * cout * 4,
            at(backend, t.dw) + (fy * kw + fx) * cin * cout * 4,
            0,
            at(backend, scratch[0]!),
            at(backend, scratch[1]!),
            cin,
            n,
            cout,
            p0 === 0 ? 0 : 2,
            0,
            1,
            0,
            cin,
            cout,
          )
        }
    }
  } finally {
    backend.disposeData(rowsOf.dataId)
    for (const s of scratch) backend.disposeData(s.dataId)
  }
}
