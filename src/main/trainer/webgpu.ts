// The webgpu rung: tfjs-backend-webgpu on Dawn, the WebGPU implementation Chromium uses, which the
// `webgpu` npm package ships prebuilt for Linux, macOS and Windows — a GPU with nothing to install.
// Dawn in plain Node needs three things tfjs does not do by itself: `navigator.gpu` defined before
// the backend is imported (Node has no navigator, or one without gpu), no `dataSync` (the backend's
// synchronous read needs OffscreenCanvas), and on adapters that only have OpenGL (Mesa's llvmpipe,
// many older GPUs) the adapter asked for with `featureLevel: 'compatibility'`.
import type { Tf } from './backends'

/** What the report says of the adapter a run uses, or would have used. */
export interface AdapterDescription {
  /** The renderer, as the driver names it: "llvmpipe-llvm-15-0-6-256-bits", "NVIDIA H200". */
  name: string
  /** Vendor, architecture, driver and API: "OpenGL version 4.5 (Core Profile) Mesa 22.3.6, OpenGL". */
  driver: string
  /** A CPU pretending to be a GPU: SwiftShader, llvmpipe, lavapipe, WARP, or Dawn's fallback. */
  software: boolean
}

interface DawnAdapter {
  readonly info: {
    vendor: string
    architecture: string
    device: string
    description: string
    isFallbackAdapter?: boolean
  }
  readonly features: ReadonlySet<string>
  readonly limits: Record<string, number>
}
interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null>
}
interface DawnModule {
  create(options: string[]): DawnGpu
  globals: Record<string, unknown>
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render|\bwarp\b/i

/** Names an adapter the way its driver does, and says whether it is a CPU in disguise. */
export function describeAdapter(info: DawnAdapter['info'], api: string): AdapterDescription {
  // Dawn gives a slug of the renderer in `device` ("llvmpipe-llvm-15-0-6-256-bits-") and, on
  // OpenGL, the GL version in `description` ("OpenGL version 4.5 (Core Profile) Mesa 22.3.6").
  const device = info.device.replace(/-+$/, '').trim() || 'unnamed adapter'
  const about = [info.vendor, info.architecture, info.description].map((s) => s.trim())
  if (!about.some((s) => s.includes(api))) about.push(api)
  const driver = about.filter((s, i) => s && about.indexOf(s) === i).join(', ')
  const software =
    !!info.isFallbackAdapter || SOFTWARE.test(`${info.device} ${info.description} ${info.vendor}`)
  return { name: device, driver, software }
}

export interface FoundAdapter {
  adapter: DawnAdapter
  /** The Dawn instance the adapter came from: held for as long as the adapter (Dawn crashes otherwise). */
  instance: DawnGpu
  description: AdapterDescription
  dawn: DawnModule
}

/**
 * Looks for a WebGPU adapter through Dawn: the platform's own API first (Vulkan, Metal, D3D12), then
 * OpenGL and OpenGL ES in compatibility mode. Returns the adapter, or why there is none, in words.
 */
export function findAdapter(): Promise<FoundAdapter | { reason: string }> {
  // Once per process: the backend, once started, holds the first adapter's device.
  search ??= searchAdapters()
  return search
}
let search: Promise<FoundAdapter | { reason: string }> | undefined

async function searchAdapters(): Promise<FoundAdapter | { reason: string }> {
  if (process.versions.electron)
    return {
      reason:
        "Dawn does not run inside Electron's Node (external buffers are not allowed there); the app's WebGPU runs in Chromium instead",
    }
  let dawn: DawnModule
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule
  } catch (err) {
    const msg = String((err as Error)?.message ?? err).split('\n')[0]
    return { reason: `the webgpu package (Dawn) did not load: ${msg}` }
  }
  // Headless Linux has no window system for EGL; Mesa's surfaceless platform needs none.
  if (process.platform === 'linux' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless'
  const attempts: [string[], string, Record<string, unknown>][] = [
    [[], platformApi(), { powerPreference: 'high-performance' }],
    [[], platformApi(), { powerPreference: 'high-performance', featureLevel: 'compatibility' }],
  ]
  if (process.platform !== 'darwin')
    attempts.push(
      [['backend=opengl'], 'OpenGL', { featureLevel: 'compatibility' }],
      [['backend=opengles'], 'OpenGL ES', { featureLevel: 'compatibility' }],
    )
  for (const [flags, api, options] of attempts) {
    try {
      const instance = dawn.create(flags)
      const adapter = await instance.requestAdapter(options)
      if (adapter) return { adapter, instance, description: describeAdapter(adapter.info, api), dawn }
    } catch {
      // An API that is not there at all throws rather than answering null; try the next.
    }
  }
  return {
    reason: `no WebGPU adapter found (tried ${[...new Set(attempts.map((a) => a[1]))].join(', ')}): no GPU, or its driver offers none of them`,
  }
}

const platformApi = (): string =>
  process.platform === 'darwin' ? 'Metal' : process.platform === 'win32' ? 'D3D12' : 'Vulkan'

let imported = false
/** The adapter the webgpu backend runs on, kept reachable for the life of the process. */
let inUse: FoundAdapter | undefined

/**
 * Starts tfjs's webgpu backend on `found`'s adapter. tfjs-backend-webgpu registers itself at import
 * only where `navigator.gpu` exists, and asks it for an adapter itself; ours answers with the one found.
 */
export async function startWebgpu(tf: Tf, found: FoundAdapter): Promise<string | null> {
  try {
    inUse = found
    Object.assign(globalThis, found.dawn.globals)
    const gpu = { requestAdapter: async () => inUse?.adapter ?? null }
    const nav = (globalThis as { navigator?: object }).navigator
    if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true })
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true })
    if (!imported) {
      await import('@tensorflow/tfjs-backend-webgpu')
      imported = true
    }
    if (!(await tf.setBackend('webgpu'))) return 'tfjs could not start its webgpu backend on this adapter'
    return null
  } catch (err) {
    return String((err as Error)?.message ?? err).split('\n')[0] ?? 'failed to start'
  }
}
