// The keras rung: the user's own Keras (3 or later, on TensorFlow, JAX or PyTorch) trains the run
// in a Python process running keras_driver.py, shipped with the app. To the service it is one more
// trainer process (the TrainerProcess interface, the trainer protocol's messages); what it needs
// around Python — the data as an .npz, the weights in and out — is in keras-run.ts. And the launcher
// that puts the rung in the ladder: first after tfjs-node-gpu where this Keras sees a GPU.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { BackendReport } from '../../shared/ipc/contract'
import { classificationEvaluation, regressionEvaluation, type Evaluation } from '../../shared/evaluation'
import { testPart } from './evaluate'
import { cacheDir } from '../cache-dir'
import type { LoadedDataset } from '../datasets/builtins'
import { loadAnyDataset } from '../datasets/registry'
import { normalizeLogs, type Progress } from './engine'
import { outputNames } from '../export/keras-json'
import { keepKerasRun, prepareKerasRun } from './keras-run'
import type { TrainerLauncher } from './launch'
import type { FromTrainer, ToTrainer } from './protocol'
import { routeLauncher } from './router'

type Start = Extract<ToTrainer, { type: 'start' }>

/** What the driver says of its Keras, or why it has none. */
export type KerasInfo =
  | {
      type: 'keras'
      keras: string
      backend: string
      backendVersion: string
      gpus: string[]
      python: string
      /** Where this Keras is installed: the probe's cache is kept while it stays as it was. */
      kerasPath?: string
    }
  | { type: 'keras'; missing: string }

/** The Python the keras rung uses: the NETWRIGHT_PYTHON setting, else python3 (python on Windows) on PATH. */
export function findPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.NETWRIGHT_PYTHON || (process.platform === 'win32' ? 'python' : 'python3')
}

/**
 * keras_driver.py: beside this file from source, beside the bundle in a build; in a packaged app
 * unpacked from the asar (package.json's asarUnpack), since Python reads it from the disk.
 */
export function driverPath(): string {
  return fileURLToPath(new URL('./keras_driver.py', import.meta.url)).replace(
    /app\.asar([\\/])/,
    'app.asar.unpacked$1',
  )
}

/** The rung's report from what the driver said. */
export function kerasReport(info: KerasInfo, python: string): BackendReport {
  if ('missing' in info) return { name: 'keras', available: false, detail: `${info.missing} (${python})` }
  const on = info.gpus.length
    ? `on ${info.gpus.length === 1 ? 'the GPU' : `${info.gpus.length} GPUs`}: ${info.gpus.join(', ')}`
    : 'on the CPU (taken when asked for: --backend keras, or Backend in the training panel)'
  return {
    name: 'keras',
    available: true,
    detail: `Keras ${info.keras} on ${info.backend} ${info.backendVersion}, ${on}; Python ${info.python} at ${python}`,
    gpus: info.gpus,
  }
}

/**
 * Logs as the driver writes them (numbers, and NaN or infinities as "nan", "inf", "-inf"), in the
 * in-app trainer's order: the losses first, the validation's after (Keras sorts its logs by name).
 */
const logValues = (logs: Record<string, unknown>): Record<string, number> => {
  const rank = (k: string) => (k.startsWith('val_') ? 2 : 0) + (/loss$/.test(k) ? 0 : 1)
  return Object.fromEntries(
    Object.entries(logs)
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([k, v]) => [k, typeof v === 'number' ? v : Number(v)]),
  )
}

/** What the driver says of the test split: Keras's evaluate, and the first output's predictions. */
interface DriverTest {
  metrics: Record<string, unknown>
  width: number
  outputs: number[]
}

/** The driver's test figures as the in-app trainer's evaluation (the same matrix, the same metrics). */
function driverEvaluation(t: DriverTest, data: LoadedDataset, output: string): Evaluation | undefined {
  const test = testPart(data)
  if (!test || !Number.isInteger(t.width) || t.outputs.length !== test.y.length * t.width) return undefined
  const logs = logValues(t.metrics)
  // Keras's own names for the losses; accuracy (and MAE, MSE) is counted from the predictions.
  const metrics = Object.fromEntries(Object.entries(logs).filter(([k]) => /loss$/.test(k)))
  return test.task === 'regression'
    ? regressionEvaluation(test.y, t.outputs, metrics, output)
    : classificationEvaluation(test.y, t.outputs, t.width, test.classes, metrics, output)
}

const PROBE_MS = 120_000
const PROBE_KEPT_MS = 24 * 3600_000

/**
 * A probe imports TensorFlow (seconds), so a Keras that was found is remembered, for a day, while its
 * Python and its keras package are as they were (the CLI starts a process per command). What was
 * not found is not remembered: looking again is quick, and it may be installed in the meantime.
 */
export const probeCache = {
  file: (): string => join(cacheDir(), 'keras-probe.json'),
  stamp(python: string, kerasPath: string): string | null {
    try {
      const at = python.includes('/') || python.includes('\\') ? python : onPath(python)
      if (!at) return null
      return `${realpathSync(at)}:${statSync(at).mtimeMs}:${statSync(kerasPath).mtimeMs}`
    } catch {
      return null
    }
  },
  read(python: string): KerasInfo | null {
    try {
      const c = JSON.parse(readFileSync(this.file(), 'utf8')) as {
        python: string
        stamp: string
        at: number
        info: KerasInfo
      }
      const path = 'kerasPath' in c.info ? c.info.kerasPath : undefined
      if (c.python !== python || !path || Date.now() - c.at > PROBE_KEPT_MS) return null
      return c.stamp === this.stamp(python, path) ? c.info : null
    } catch {
      return null
    }
  },
  write(python: string, info: KerasInfo): void {
    const stamp = 'kerasPath' in info && info.kerasPath ? this.stamp(python, info.kerasPath) : null
    if (!stamp) return
    try {
      mkdirSync(dirname(this.file()), { recursive: true })
      writeFileSync(this.file(), JSON.stringify({ python, stamp, at: Date.now(), info }))
    } catch {
      // A cache that cannot be written only costs the next probe its seconds.
    }
  },
}

function onPath(cmd: string): string | null {
  const exts = process.platform === 'win32' ? ['.exe', ''] : ['']
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    for (const ext of exts) if (dir && existsSync(join(dir, cmd + ext))) return join(dir, cmd + ext)
  return null
}

export interface KerasLauncherOptions {
  python?: string
  driver?: string
  /** How a run's dataset is loaded: as the in-app trainer loads it (tests give made-up data). */
  load?: (msg: Start) => Promise<LoadedDataset>
}

const loadForRun = (msg: Start) =>
  loadAnyDataset(msg.dataset.id, msg.dataset.options, msg.training.seed, msg.kerasDir)

/** Trainer "processes" that are a Python running the driver. */
export function kerasLauncher({
  python = findPython(),
  driver = driverPath(),
  load = loadForRun,
}: KerasLauncherOptions = {}): TrainerLauncher {
  return () => {
    const listeners: ((m: FromTrainer) => void)[] = []
    const exits: ((how: string) => void)[] = []
    const emit = (m: FromTrainer) => listeners.forEach((l) => l(m))
    let child: ChildProcess | undefined
    let gone = false
    let dir: string | undefined
    let start: Start | undefined
    let probing: NodeJS.Timeout | undefined
    let firstOutput: string | undefined
    let data: LoadedDataset | undefined
    let outputName = ''
    let stopEarly = false
    const stderrTail: string[] = []
    const cleanup = () => {
      if (probing) clearTimeout(probing)
      if (dir) void rm(dir, { recursive: true, force: true })
      dir = undefined
    }
    const end = (how: string) => {
      if (gone) return
      gone = true
      cleanup()
      // A probe that got no answer still says why this rung is not there.
      if (probing)
        emit({
          type: 'backend',
          backend: 'keras',
          reports: [{ name: 'keras', available: false, detail: `${python} ${how}` }],
        })
      exits.forEach((l) => l(how))
    }
    // The driver ends when its input does: after the probe's answer, or the run's end.
    const finished = () => child?.stdin?.end()
    const onDriver = async (m: Record<string, unknown>) => {
      if (m.type === 'keras') {
        const info = m as KerasInfo
        if (probing) clearTimeout(probing)
        probing = undefined
        const report = kerasReport(info, python)
        if (!start) {
          finished()
          probeCache.write(python, info)
        }
        if (start && !report.available)
          emit({ type: 'error', message: `The keras backend is not available here: ${report.detail}.` })
        else emit({ type: 'backend', backend: 'keras', reports: [report] })
      } else if (m.type === 'batch' || m.type === 'epoch') {
        const p = m.progress as Progress
        emit({ type: m.type, progress: { ...p, logs: normalizeLogs(logValues(p.logs), firstOutput) } })
      } else if (m.type === 'running' || m.type === 'paused' || m.type === 'resumed') emit(m as FromTrainer)
      else if (m.type === 'done') {
        const { test, ...done } = m as Extract<FromTrainer, { type: 'done' }> & { test?: DriverTest }
        const final = normalizeLogs(logValues(done.final), firstOutput)
        try {
          if (done.saved && start?.saveDir && dir)
            await keepKerasRun(start.modelConfig, join(dir, 'model.keras'), start.saveDir)
          const evaluation = test && data ? driverEvaluation(test, data, outputName) : undefined
          for (const [k, v] of Object.entries(evaluation?.metrics ?? {})) final[`test_${k}`] = v
          emit({ ...done, final, ...(evaluation ? { evaluation } : {}) })
        } catch (err) {
          emit({ type: 'error', message: `The trained model could not be kept: ${(err as Error).message}` })
        }
        finished()
      } else if (m.type === 'error') {
        emit({ type: 'error', message: String(m.message) })
        finished()
      }
    }
    const launch = (first: object) => {
      const c = spawn(python, [driver], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PYTHONUNBUFFERED: '1',
          PYTHONDONTWRITEBYTECODE: '1',
          TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '3',
        },
      })
      child = c
      c.on('error', (err: NodeJS.ErrnoException) =>
        end(
          err.code === 'ENOENT'
            ? 'was not found (set NETWRIGHT_PYTHON to a Python with Keras 3)'
            : `could not start: ${err.message}`,
        ),
      )
      let chain = Promise.resolve()
      // 'close' comes after the last of its output; the messages before it are handled first.
      c.on('close', (code, signal) => {
        const said = stderrTail.at(-1)
        const how = `${signal ? `signal ${signal}` : `exit code ${code}`}${code && said ? `: ${said}` : ''}`
        void chain.then(() => end(how))
      })
      c.stdin!.on('error', () => {}) // a Python that is gone is reported by 'close'
      createInterface({ input: c.stdout! }).on('line', (line) => {
        let m: unknown
        try {
          m = JSON.parse(line)
        } catch {
          return void process.stderr.write(`${line}\n`)
        }
        if (m && typeof m === 'object') chain = chain.then(() => onDriver(m as Record<string, unknown>))
      })
      createInterface({ input: c.stderr! }).on('line', (line) => {
        if (!line.trim()) return
        stderrTail.push(line.slice(0, 400))
        if (stderrTail.length > 20) stderrTail.shift()
        if (process.env.NETWRIGHT_KERAS_LOG) process.stderr.write(`${line}\n`)
      })
      c.stdin!.write(`${JSON.stringify(first)}\n`)
    }
    const begin = async (msg: Start) => {
      start = msg
      firstOutput =
        msg.modelConfig.class_name === 'Functional'
          ? msg.modelConfig.config.output_layers?.[0]?.[0]
          : undefined
      dir = await mkdtemp(join(tmpdir(), 'netwright-keras-'))
      data = await load(msg)
      outputName = outputNames(msg.modelConfig)[0] ?? ''
      const spec = await prepareKerasRun(msg, dir, data)
      if (gone) return cleanup()
      launch(spec)
      if (stopEarly) child?.stdin?.write(`${JSON.stringify({ type: 'stop' })}\n`)
    }
    return {
      get pid() {
        return child?.pid
      },
      send: (msg) => {
        if (gone) return
        if (msg.type === 'probe') {
          probing = setTimeout(() => {
            stderrTail.push(`did not answer within ${PROBE_MS / 1000} s`)
            child?.kill('SIGKILL')
          }, PROBE_MS)
          if (!existsSync(driver)) return end(`cannot run: the Keras driver ${driver} is missing`)
          const known = probeCache.read(python)
          if (known) {
            clearTimeout(probing)
            probing = undefined
            emit({ type: 'backend', backend: 'keras', reports: [kerasReport(known, python)] })
            return void setTimeout(() => end('exit code 0'), 0)
          }
          launch(msg)
        } else if (msg.type === 'start')
          begin(msg).catch((err: Error) => emit({ type: 'error', message: err.message ?? String(err) }))
        else if (msg.type === 'evaluate' || msg.type === 'inspect' || msg.type === 'lr-sweep')
          emit({
            type: 'error',
            message: 'The in-app trainer evaluates, looks inside and tests learning rates, not Keras.',
          })
        else if (child?.stdin?.writable) child.stdin.write(`${JSON.stringify(msg)}\n`)
        else if (msg.type === 'stop') stopEarly = true // still preparing: the run stops at its first batch
      },
      onMessage: (l) => listeners.push(l),
      onExit: (l) => exits.push(l),
      kill: () => {
        if (gone) return
        if (child && child.exitCode === null) child.kill('SIGKILL')
        else end('closed')
      },
    }
  }
}

/**
 * `inner`'s ladder with the keras rung in it: a run goes to Keras when forced there, or by itself
 * when this Keras sees a GPU and `inner` has no CUDA (tfjs-node-gpu); else to `inner`.
 */
export function withKerasRung(
  inner: TrainerLauncher,
  keras: TrainerLauncher = kerasLauncher(),
): TrainerLauncher {
  return routeLauncher(
    [
      { launcher: keras, owns: (b) => b === 'keras' },
      { launcher: inner, owns: (b) => b !== 'keras' },
    ],
    ([k, rest]) =>
      rest!.chosen !== 'tfjs-node-gpu' && k!.chosen && k!.reports.some((r) => r.gpus?.length) ? 0 : 1,
  )
}
