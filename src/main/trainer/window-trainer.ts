// The trainer that runs in a hidden Chromium window: Electron's own Node cannot run Dawn ("external
// buffers are not allowed"), so in the app the GPU rungs are Chromium's WebGPU, then WebGL2. The same
// engine as the trainer process, the same messages (FromTrainer), and the same reports; the host
// (window-launcher.ts in the app) reads datasets and writes files, since a page can do neither.
import type { BackendName } from '../../shared/graph/schema'
import type { BackendReport } from '../../shared/ipc/contract'
import type { LoadedDataset } from '../datasets/builtins'
import type { ChosenBackend, Tf } from './backends'
import { registerCpuFixes } from './cpu-kernels'
import { registerCustomLayers } from './custom-layers'
import { disposeModel, train } from './engine'
import type { FromTrainer, ToTrainer } from './protocol'
import type { TfjsModelFiles } from './weights'
import { pauseControl } from './pause'

/** The window's rungs, fastest first; a software adapter is taken only when forced. */
export const WINDOW_LADDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu']

/** What the host sends the window: the process's start, with the data and weights already read. */
export type ToWindowTrainer =
  | (Omit<Extract<ToTrainer, { type: 'start' }>, 'dataset' | 'kerasDir' | 'init' | 'saveDir'> & {
      data: LoadedDataset
      init?: { files: TfjsModelFiles; source: string }
      /** Send the trained model back (a `model` message before `done`). */
      save: boolean
    })
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'probe' }

type ModelArtifacts = import('@tensorflow/tfjs').io.ModelArtifacts

/**
 * What the window sends: the process's messages, and the trained model for the host to write: the
 * artifacts tfjs's model.save hands a saver, with the weights as one block of bytes.
 */
export type FromWindowTrainer =
  FromTrainer | { type: 'model'; artifacts: Omit<ModelArtifacts, 'weightData'>; weightData: Uint8Array }

export interface WindowTransport {
  send(msg: FromWindowTrainer): void
  onMessage(listener: (msg: unknown) => void): void
}

type Adapter = NonNullable<BackendReport['adapter']>

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i

interface GpuAdapterInfo {
  vendor?: string
  architecture?: string
  device?: string
  description?: string
  isFallbackAdapter?: boolean
}

/** The page's WebGPU adapter, named as Chromium names it, or why there is none. */
async function webgpuAdapter(): Promise<Adapter | string> {
  if (typeof navigator === 'undefined') return 'this window has no WebGPU (no navigator)'
  const gpu = (
    navigator as { gpu?: { requestAdapter(o?: object): Promise<{ info?: GpuAdapterInfo } | null> } }
  ).gpu
  if (!gpu) return 'this window has no WebGPU (navigator.gpu is missing)'
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter) return 'no WebGPU adapter: no GPU, or Chromium blocks its driver'
  const info = adapter.info ?? {}
  const about = [info.vendor, info.architecture, info.description].filter((s): s is string => !!s?.trim())
  const name = info.device?.trim() || info.architecture || info.vendor || 'unnamed adapter'
  const software = !!info.isFallbackAdapter || SOFTWARE.test(about.join(' ') + ' ' + name)
  return { name, driver: [...new Set(about)].join(', ') || 'WebGPU', software }
}

/** The page's WebGL2 renderer, as the driver names it, or why there is none. */
function webglRenderer(): Adapter | string {
  if (typeof OffscreenCanvas === 'undefined') return 'this window has no WebGL2 (no OffscreenCanvas)'
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2')
  if (!gl) return 'this window has no WebGL2'
  const ext = gl.getExtension('WEBGL_debug_renderer_info')
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER))
  const vendor = String(gl.getParameter(ext ? ext.UNMASKED_VENDOR_WEBGL : gl.VENDOR))
  return { name: renderer, driver: `${vendor}, WebGL2`, software: SOFTWARE.test(renderer) }
}

/** Walks the window's ladder (or starts at the forced rung), with a report for every rung. */
export async function chooseWindowBackend(tf: Tf, forced?: BackendName): Promise<ChosenBackend> {
  const reports: BackendReport[] = []
  let chosen: BackendName | undefined
  for (const name of forced ? [forced] : WINDOW_LADDER) {
    if (chosen) {
      reports.push({ name, available: true, detail: 'not needed: a faster backend was found' })
      continue
    }
    if (name === 'webgpu' || name === 'webgl') {
      const adapter = name === 'webgpu' ? await webgpuAdapter() : webglRenderer()
      if (typeof adapter === 'string') {
        reports.push({ name, available: false, detail: adapter })
        continue
      }
      const api = name === 'webgpu' ? 'WebGPU' : 'WebGL2'
      if (adapter.software && !forced) {
        reports.push({
          name,
          available: false,
          adapter,
          detail: `only a software adapter, ${adapter.name}, which trains slower than the CPU backends`,
        })
        continue
      }
      if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu')
      if (!(await tf.setBackend(name))) {
        reports.push({ name, available: false, adapter, detail: `tfjs could not start ${api} here` })
        continue
      }
      const on = adapter.software ? 'a software adapter (the CPU, slowly)' : 'the GPU'
      reports.push({
        name,
        available: true,
        adapter,
        detail: `${api} on ${on}: ${adapter.name} (${adapter.driver})`,
      })
      chosen = name
    } else if (name === 'cpu') {
      await tf.setBackend('cpu')
      reports.push({ name, available: true, detail: 'pure JavaScript in the window (slowest)' })
      chosen = name
    } else reports.push({ name, available: false, detail: 'runs in the trainer process, not in this window' })
  }
  if (!chosen) {
    const r = reports[0]!
    throw new Error(`The ${r.name} backend is not available here: ${r.detail}.`)
  }
  registerCpuFixes(tf)
  registerCustomLayers(tf)
  return { tf, name: chosen, reports }
}

/** Serves the trainer protocol over `transport`, one run at a time, as the trainer process does. */
export function serveWindowTrainer(tf: Tf, transport: WindowTransport): void {
  let stopRequested = false
  let busy = false
  const pausing = pauseControl()
  const start = async (msg: Extract<ToWindowTrainer, { type: 'start' }>) => {
    stopRequested = false
    const chosen = await chooseWindowBackend(tf, msg.backend)
    transport.send({ type: 'backend', backend: chosen.name, reports: chosen.reports })
    transport.send({ type: 'running', epochs: msg.training.epochs, samples: msg.data.y.length })
    const baseline = tf.memory().numTensors
    const result = await train(tf, msg, msg.data, {
      onBatch: (progress) => transport.send({ type: 'batch', progress }),
      onEpoch: (progress) => transport.send({ type: 'epoch', progress }),
      shouldStop: () => stopRequested,
      paused: pausing.waiting,
      onPause: (paused) => transport.send({ type: paused ? 'paused' : 'resumed' }),
    })
    let saved = false
    if (msg.save && (result.epochsDone > 0 || msg.init)) {
      await result.model.save(
        tf.io.withSaveHandler(async ({ weightData, ...artifacts }) => {
          const parts = weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData]
          const bytes = new Uint8Array(await new Blob(parts).arrayBuffer())
          transport.send({ type: 'model', artifacts, weightData: bytes })
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
        }),
      )
      saved = true
    }
    disposeModel(result.model)
    transport.send({
      type: 'done',
      saved,
      stopped: result.stopped,
      final: result.final,
      epochsDone: result.epochsDone,
      tensorsLeaked: tf.memory().numTensors - baseline,
      ...(result.evaluation ? { evaluation: result.evaluation } : {}),
      ...(result.note ? { note: result.note } : {}),
    })
  }
  transport.onMessage((raw) => {
    const msg = raw as ToWindowTrainer
    if (!msg || typeof msg !== 'object') return
    if (msg.type === 'stop') {
      stopRequested = true
      pausing.resume()
      return
    }
    if (msg.type === 'pause' || msg.type === 'resume') {
      if (msg.type === 'pause') pausing.pause()
      else pausing.resume()
      return
    }
    if (busy) {
      transport.send({ type: 'error', message: 'The trainer window is already running a job.' })
      return
    }
    busy = true
    const job =
      msg.type === 'probe'
        ? chooseWindowBackend(tf).then((c) =>
            transport.send({ type: 'backend', backend: c.name, reports: c.reports }),
          )
        : msg.type === 'start'
          ? start(msg)
          : Promise.resolve()
    void job
      .catch((err: unknown) =>
        transport.send({ type: 'error', message: (err as Error)?.message ?? String(err) }),
      )
      .finally(() => (busy = false))
  })
}
