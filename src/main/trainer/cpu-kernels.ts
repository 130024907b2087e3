// Kernels of tfjs-backend-cpu 4.22 that give wrong numbers, replaced. Found by comparing every
// layer's training step across backends (webgpu.test.ts); each is checked in cpu-kernels.test.ts.
import type { Tf } from './backends'

type Info = import('@tensorflow/tfjs').TensorInfo
interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } }
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): Info
}
type KernelFunc = (args: {
  inputs: Record<string, Info>
  backend: CpuBackend
  attrs: Record<string, unknown>
}) => Info

/** The source index of output index `i`, exactly as the cpu ResizeNearestNeighbor picks it. */
function nearest(i: number, ratio: number, size: number, alignCorners: boolean, halfPixel: boolean): number {
  const frac = halfPixel ? ratio * (i + 0.5) : ratio * i
  const n = Math.min(size - 1, alignCorners ? Math.round(frac) : Math.floor(frac))
  return halfPixel ? Math.max(0, n) : n
}

/**
 * ResizeNearestNeighbor's gradient (UpSampling2D trains through it). tfjs's cpu kernel reads dy at
 * the images' batch offset, not dy's, so every image after the first in a batch gets the gradient of
 * the wrong rows; it also ignores halfPixelCenters. This one sends each output pixel's gradient back
 * to the pixel the forward kernel copied it from.
 */
const resizeNearestNeighborGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: Info; dy: Info }
  const [batch, h, w, depth] = images.shape as [number, number, number, number]
  const [, dh, dw] = dy.shape as [number, number, number, number]
  const align = !!attrs.alignCorners
  const half = !!attrs.halfPixelCenters
  const rowRatio = (align && dh > 1 ? h - 1 : h) / (align && dh > 1 ? dh - 1 : dh)
  const colRatio = (align && dw > 1 ? w - 1 : w) / (align && dw > 1 ? dw - 1 : dw)
  const cols = Int32Array.from({ length: dw }, (_, c) => nearest(c, colRatio, w, align, half))
  const g = backend.data.get(dy.dataId).values
  const dx = new Float32Array(batch * h * w * depth)
  let at = 0
  for (let b = 0; b < batch; b++)
    for (let r = 0; r < dh; r++) {
      const row = (b * h + nearest(r, rowRatio, h, align, half)) * w
      for (let c = 0; c < dw; c++) {
        const to = (row + cols[c]!) * depth
        for (let d = 0; d < depth; d++) dx[to + d]! += g[at++]!
      }
    }
  return backend.makeTensorInfo([batch, h, w, depth], 'float32', dx)
}

const FIXES: Record<string, KernelFunc> = { ResizeNearestNeighborGrad: resizeNearestNeighborGrad }

/** Puts the fixed kernels in place of the cpu backend's own. Safe to call more than once. */
export function registerCpuFixes(tf: Tf): void {
  for (const [kernelName, kernelFunc] of Object.entries(FIXES)) {
    if (tf.getKernel(kernelName, 'cpu')?.kernelFunc === (kernelFunc as never)) continue
    if (tf.getKernel(kernelName, 'cpu')) tf.unregisterKernel(kernelName, 'cpu')
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: kernelFunc as never })
  }
}
