// Runs whose weights were saved: trained here (in the runs cache), kept beside a project
// (<project>.weights/), or imported with a TensorFlow.js model.json. Export, fine-tuning and
// "keep with the project" all start from here.
import { existsSync } from 'node:fs'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import type { RunRecord } from '../../shared/ipc/contract'
import { readTfjsModel, tfjsFiles } from '../export/tfjs-io'
import { replaceFolderAtomic, writeFilesAtomic } from '../export/write'
import { ServiceError } from './errors'
import { PROJECT_EXT } from './files'

/** Where trained runs are saved: $NETWRIGHT_CACHE/runs, else the platform's cache folder. */
export function defaultRunsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NETWRIGHT_CACHE) return join(env.NETWRIGHT_CACHE, 'runs')
  const home = homedir()
  const base =
    process.platform === 'win32'
      ? join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Netwright', 'Cache')
      : process.platform === 'darwin'
        ? join(home, 'Library', 'Caches', 'Netwright')
        : join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'netwright')
  return join(base, 'runs')
}

/** The folder beside a project that keeps its run: my-model.netwright.json → my-model.weights/. */
export function keptWeightsDir(projectPath: string): string {
  const name = basename(projectPath)
  const stem = name.endsWith(PROJECT_EXT) ? name.slice(0, -PROJECT_EXT.length) : name.replace(/\.json$/i, '')
  return join(dirname(projectPath), `${stem}.weights`)
}

const RUN_JSON = 'run.json'
/** How many trained runs the cache keeps; older ones are removed when the service starts. */
const KEEP_RUNS = 20

export interface RunStore {
  dirFor(runId: string): string
  get(runId: string): RunRecord | undefined
  /** Records a run the trainer saved in dirFor(runId), writing its run.json beside the weights. */
  addTrained(run: Omit<RunRecord, 'source' | 'modelJson' | 'savedAt'>): Promise<RunRecord>
  /** Copies a run's weights and metrics beside a project, replacing what was kept there. */
  keepBeside(projectPath: string, runId: string): Promise<RunRecord>
  /** The run kept beside a project, if there is one (registered so it can be exported or trained on). */
  openBeside(projectPath: string): Promise<RunRecord | undefined>
  /** An imported tfjs model.json's weights, registered as a run. */
  importWeights(modelJsonPath: string, documentName: string): Promise<RunRecord>
  /** Removes old runs from the cache (never kept or imported ones). */
  prune(): Promise<void>
}

export function runStore(root: string): RunStore {
  const runs = new Map<string, RunRecord>()
  const register = (r: RunRecord) => {
    runs.set(r.runId, r)
    return r
  }
  const readRunJson = async (dir: string): Promise<Partial<RunRecord>> => {
    try {
      return JSON.parse(await readFile(join(dir, RUN_JSON), 'utf8')) as Partial<RunRecord>
    } catch {
      return {}
    }
  }
  let counter = 0
  return {
    dirFor: (runId) => join(root, runId),
    get: (runId) => runs.get(runId),
    async addTrained(run) {
      const dir = join(root, run.runId)
      const record: RunRecord = {
        ...run,
        source: 'trained',
        modelJson: join(dir, 'model.json'),
        savedAt: new Date().toISOString(),
      }
      await writeFilesAtomic(dir, [{ name: RUN_JSON, data: JSON.stringify(record, null, 2) }])
      return register(record)
    },
    async keepBeside(projectPath, runId) {
      const run = runs.get(runId)
      if (!run)
        throw new ServiceError(
          'not-found',
          'That run has no saved weights (it may have failed or been stopped before its first epoch).',
        )
      const m = await readTfjsModel(run.modelJson)
      const dir = keptWeightsDir(projectPath)
      const kept: RunRecord = {
        ...run,
        runId: `kept:${dir}`,
        source: 'kept',
        modelJson: join(dir, 'model.json'),
      }
      await replaceFolderAtomic(dir, [
        ...tfjsFiles({
          modelTopology: m.modelJson.modelTopology as Record<string, unknown>,
          weightSpecs: m.weightSpecs,
          weightData: m.weightData.slice().buffer as ArrayBuffer,
          trainingConfig: m.modelJson.trainingConfig,
        }),
        { name: RUN_JSON, data: JSON.stringify(kept, null, 2) },
      ])
      return register(kept)
    },
    async openBeside(projectPath) {
      const dir = keptWeightsDir(projectPath)
      if (!existsSync(join(dir, 'model.json'))) return undefined
      const meta = await readRunJson(dir)
      return register({
        epochsDone: 0,
        final: {},
        history: [],
        documentName: basename(projectPath),
        ...meta,
        savedAt: meta.savedAt ?? (await stat(join(dir, 'model.json'))).mtime.toISOString(),
        runId: `kept:${dir}`,
        source: 'kept',
        modelJson: join(dir, 'model.json'),
      })
    },
    async importWeights(modelJsonPath, documentName) {
      await readTfjsModel(modelJsonPath) // the weights are there and whole, or a clear message
      return register({
        runId: `imported:${modelJsonPath}:${++counter}`,
        source: 'imported',
        modelJson: modelJsonPath,
        epochsDone: 0,
        final: {},
        history: [],
        savedAt: (await stat(modelJsonPath)).mtime.toISOString(),
        documentName,
      })
    },
    async prune() {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
      const dirs = await Promise.all(
        entries
          .filter((e) => e.isDirectory())
          .map(async (e) => ({ path: join(root, e.name), mtime: (await stat(join(root, e.name))).mtimeMs })),
      )
      dirs.sort((a, b) => b.mtime - a.mtime)
      await Promise.all(dirs.slice(KEEP_RUNS).map((d) => rm(d.path, { recursive: true, force: true })))
    },
  }
}
