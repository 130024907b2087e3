// The trainer process. It never runs inside the Electron main process or the UI thread: the app
// starts it with Electron's utilityProcess, the CLI and the browser host with child_process.fork.
// A crash or out-of-memory here ends one run, never the app.
import { loadAnyDataset } from '../datasets/registry'
import { fileSaver, readTfjsModel } from '../export/tfjs-io'
import { chooseBackend } from './backends'
import { withWasmFallback } from './fallback'
import { disposeModel, train, type Progress } from './engine'
import { evaluateSaved } from './evaluate'
import { inspectSaved } from './inspect'
import { learningRateSweep } from './lr-sweep'
import { pauseControl } from './pause'
import type { FromTrainer, ToTrainer } from './protocol'

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

function send(msg: FromTrainer): void {
  if (parentPort) parentPort.postMessage(msg)
  else process.send?.(msg)
}

let stopRequested = false
const pausing = pauseControl()

async function start(msg: Extract<ToTrainer, { type: 'start' }>): Promise<void> {
  const chosen = await chooseBackend(msg.backend)
  const { tf } = chosen
  send({ type: 'backend', backend: chosen.name, reports: chosen.reports })
  const init = msg.init ? { files: await readTfjsModel(msg.init), source: msg.init } : undefined
  const data = await loadAnyDataset(msg.dataset.id, msg.dataset.options, msg.training.seed, msg.kerasDir)
  send({ type: 'running', epochs: msg.training.epochs, samples: data.y.length })
  const baseline = tf.memory().numTensors
  const hooks = {
    onBatch: (progress: Progress) => send({ type: 'batch', progress }),
    onEpoch: (progress: Progress) => send({ type: 'epoch', progress }),
    shouldStop: () => stopRequested,
    paused: pausing.waiting,
    onPause: (paused: boolean) => send({ type: paused ? 'paused' : 'resumed' }),
  }
  const result = await withWasmFallback(
    chosen,
    !!msg.backend,
    (t) => train(t, { ...msg, init }, data, hooks),
    (reports) => send({ type: 'backend', backend: 'cpu', reports }),
  )
  // The model trained so far is kept, even after Stop, so it can be exported or trained on.
  let saved = false
  if (msg.saveDir && (result.epochsDone > 0 || init)) {
    await result.model.save(fileSaver(msg.saveDir))
    saved = true
  }
  disposeModel(result.model)
  send({
    saved,
    type: 'done',
    stopped: result.stopped,
    final: result.final,
    epochsDone: result.epochsDone,
    tensorsLeaked: tf.memory().numTensors - baseline,
    ...(result.evaluation ? { evaluation: result.evaluation } : {}),
    ...(result.note ? { note: result.note } : {}),
  })
}

async function evaluate(msg: Extract<ToTrainer, { type: 'evaluate' }>): Promise<void> {
  const chosen = await chooseBackend(msg.backend)
  send({ type: 'backend', backend: chosen.name, reports: chosen.reports })
  const init = { files: await readTfjsModel(msg.init), source: msg.init }
  const data = await loadAnyDataset(msg.dataset.id, msg.dataset.options, msg.training.seed, msg.kerasDir)
  const evaluation = await withWasmFallback(
    chosen,
    !!msg.backend,
    (t) => evaluateSaved(t, { ...msg, init }, data),
    (reports) => send({ type: 'backend', backend: 'cpu', reports }),
  )
  send({ type: 'evaluated', evaluation })
}

async function inspect(msg: Extract<ToTrainer, { type: 'inspect' }>): Promise<void> {
  const chosen = await chooseBackend(msg.backend)
  const init = { files: await readTfjsModel(msg.init), source: msg.init }
  const data = await loadAnyDataset(msg.dataset.id, msg.dataset.options, msg.training.seed, msg.kerasDir)
  const inspection = await withWasmFallback(
    chosen,
    !!msg.backend,
    (t) => inspectSaved(t, { ...msg, init }, data, msg.split, msg.index),
    () => undefined,
  )
  send({ type: 'inspected', inspection })
}

async function sweep(msg: Extract<ToTrainer, { type: 'lr-sweep' }>): Promise<void> {
  const chosen = await chooseBackend(msg.backend)
  const data = await loadAnyDataset(msg.dataset.id, msg.dataset.options, msg.training.seed, msg.kerasDir)
  const result = await withWasmFallback(
    chosen,
    !!msg.backend,
    (t) => learningRateSweep(t, msg, data),
    () => undefined,
  )
  send({ type: 'lr-swept', sweep: result })
}

async function onMessage(raw: unknown): Promise<void> {
  const msg = raw as ToTrainer
  try {
    if (msg.type === 'stop') {
      stopRequested = true
      pausing.resume() // a paused run stops after its batch too
    } else if (msg.type === 'pause') pausing.pause()
    else if (msg.type === 'resume') pausing.resume()
    else if (msg.type === 'probe') {
      const { name, reports } = await chooseBackend()
      send({ type: 'backend', backend: name, reports })
    } else if (msg.type === 'start') await start(msg)
    else if (msg.type === 'evaluate') await evaluate(msg)
    else if (msg.type === 'inspect') await inspect(msg)
    else if (msg.type === 'lr-sweep') await sweep(msg)
  } catch (err) {
    send({ type: 'error', message: (err as Error).message ?? String(err) })
  }
}

if (parentPort) parentPort.on('message', (e) => void onMessage(e.data))
else process.on('message', (m) => void onMessage(m))
process.on('disconnect', () => process.exit(0))
