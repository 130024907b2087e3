// Runs whose weights were saved: trained here (in the runs cache), kept beside a project
// (<project>.weights/), or imported with a TensorFlow.js model.json. Export, fine-tuning and
// "keep with the project" all start from here.
import { existsSync } from 'node:fs'
import { lstat, readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { cacheDir } from '../cache-dir'
import { EvaluationSchema } from '../../shared/evaluation'
import type { RunRecord } from '../../shared/ipc/contract'
import { validateDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { readTfjsModel, tfjsFiles, type TfjsModelFiles } from '../export/tfjs-io'
import { replaceFolderAtomic, writeFilesAtomic } from '../export/write'
import { LIMITS, readRegularText } from '../safe-fs'
import { ServiceError } from './errors'
import { PROJECT_EXT } from './files'

/** Where trained runs are saved: $NETWRIGHT_CACHE/runs, else the platform's cache folder. */
export const defaultRunsDir = (env: NodeJS.ProcessEnv = process.env): string => join(cacheDir(env), 'runs')

/** The folder beside a project that keeps its run: my-model.netwright.json → my-model.weights/. */
export function keptWeightsDir(projectPath: string): string {
  const name = basename(projectPath)
  const stem = name.endsWith(PROJECT_EXT) ? name.slice(0, -PROJECT_EXT.length) : name.replace(/\.json$/i, '')
  return join(dirname(projectPath), `${stem}.weights`)
}

/** The folder beside a project that keeps its runs: my-model.netwright.json → my-model.runs/<run>/. */
export function projectRunsDir(projectPath: string): string {
  return keptWeightsDir(projectPath).replace(/\.weights$/, '.runs')
}

/** How many runs a project keeps beside it; older ones go when a new one is added. */
const KEEP_PROJECT_RUNS = 20

const RUN_JSON = 'run.json'

/** The parts of a run.json a kept run takes back, each only when it has the right type. */
function pickRunMeta(m: Record<string, unknown>): Partial<RunRecord> {
  const out: Partial<RunRecord> = {}
  if (typeof m.epochsDone === 'number' && Number.isInteger(m.epochsDone) && m.epochsDone >= 0)
    out.epochsDone = m.epochsDone
  if (typeof m.documentName === 'string') out.documentName = m.documentName.slice(0, 500)
  if (typeof m.savedAt === 'string' && !Number.isNaN(Date.parse(m.savedAt))) out.savedAt = m.savedAt
  const numbers = (v: unknown): Record<string, number> | null =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number')
      ? (v as Record<string, number>)
      : null
  const final = numbers(m.final)
  if (final) out.final = final
  const evaluation = EvaluationSchema.safeParse(m.evaluation)
  if (evaluation.success) out.evaluation = evaluation.data
  if (Array.isArray(m.history) && m.history.length <= 100_000) {
    const h = m.history.map(numbers)
    if (h.every(Boolean)) out.history = h as Record<string, number>[]
  }
  return out
}
/** How many trained runs the cache keeps; older ones are removed at start and after each new one. */
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
  /** Weights converted from another format (a .keras file's), saved in the cache and registered as a run. */
  importConverted(files: TfjsModelFiles, documentName: string, from: string): Promise<RunRecord>
  /** Removes old runs from the cache (never kept or imported ones). */
  prune(): Promise<void>
  /** Keeps a trained run with the project it trained (in <name>.runs/), with the document it trained. */
  addToProject(projectPath: string, runId: string, document: NetDocument): Promise<void>
  /** The runs kept with a project, oldest first (registered so they can be shown, exported, evaluated). */
  projectRuns(projectPath: string): Promise<RunRecord[]>
}

/** A runs folder read only when it is a real folder, never through a link. */
async function refuseLink(dir: string): Promise<void> {
  const s = await lstat(dir).catch(() => null)
  if (s && !s.isDirectory())
    throw new ServiceError(
      'forbidden',
      `${basename(dir)} beside the project is not a folder of its own, so its runs were not used.`,
    )
}

/** The run folders in a project's runs folder (real folders only), oldest first. */
async function runDirs(root: string): Promise<{ path: string; mtime: number }[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
  const dirs = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .slice(0, 200)
      .map(async (e) => ({ path: join(root, e.name), mtime: (await lstat(join(root, e.name))).mtimeMs })),
  )
  return dirs.sort((a, b) => a.mtime - b.mtime)
}

export function runStore(root: string): RunStore {
  const runs = new Map<string, RunRecord>()
  const register = (r: RunRecord) => {
    runs.set(r.runId, r)
    return r
  }
  const readRunJson = async (dir: string): Promise<Partial<RunRecord>> => {
    try {
      const text = await readRegularText(join(dir, RUN_JSON), { maxBytes: LIMITS.modelJson, noLinks: true })
      const meta = JSON.parse(text) as unknown
      return meta && typeof meta === 'object' && !Array.isArray(meta)
        ? pickRunMeta(meta as Record<string, unknown>)
        : {}
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
      register(record)
      await this.prune()
      return record
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
      // The kept weights are read only from a real folder beside the project, never through a link.
      const links = await Promise.all(
        [dir, join(dir, 'model.json')].map((p) => lstat(p).then((s) => !s.isDirectory() && !s.isFile())),
      )
      if (links.some(Boolean))
        throw new ServiceError(
          'forbidden',
          `${basename(dir)} beside the project is a link, not a folder of its own, so its weights were not opened.`,
        )
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
    async importConverted(files, documentName, from) {
      const runId = `imported-${Date.now().toString(36)}-${++counter}`
      const dir = join(root, runId)
      await writeFilesAtomic(
        dir,
        tfjsFiles({
          modelTopology: files.modelJson.modelTopology as object,
          weightSpecs: files.weightSpecs,
          weightData: files.weightData.slice().buffer as ArrayBuffer,
        }),
      )
      const record: RunRecord = {
        runId,
        source: 'imported',
        modelJson: join(dir, 'model.json'),
        epochsDone: 0,
        final: {},
        history: [],
        savedAt: new Date().toISOString(),
        documentName,
      }
      await writeFilesAtomic(dir, [{ name: RUN_JSON, data: JSON.stringify({ ...record, from }, null, 2) }])
      return register(record)
    },
    async addToProject(projectPath, runId, document) {
      const run = runs.get(runId)
      if (!run) throw new ServiceError('not-found', 'That run has no saved weights.')
      const m = await readTfjsModel(run.modelJson)
      const root = projectRunsDir(projectPath)
      await refuseLink(root)
      await replaceFolderAtomic(join(root, runId), [
        ...tfjsFiles({
          modelTopology: m.modelJson.modelTopology as Record<string, unknown>,
          weightSpecs: m.weightSpecs,
          weightData: m.weightData.slice().buffer as ArrayBuffer,
          trainingConfig: m.modelJson.trainingConfig,
        }),
        { name: RUN_JSON, data: JSON.stringify({ ...run, document }, null, 2) },
      ])
      const dirs = await runDirs(root)
      await Promise.all(
        dirs
          .slice(0, Math.max(0, dirs.length - KEEP_PROJECT_RUNS))
          .map((d) => rm(d.path, { recursive: true, force: true })),
      )
    },
    async projectRuns(projectPath) {
      const root = projectRunsDir(projectPath)
      if (!existsSync(root)) return []
      await refuseLink(root)
      const out: RunRecord[] = []
      for (const d of (await runDirs(root)).slice(-KEEP_PROJECT_RUNS)) {
        const json = join(d.path, RUN_JSON)
        const meta = await readRunJson(d.path)
        let document: NetDocument | undefined
        try {
          const raw = JSON.parse(
            await readRegularText(json, { maxBytes: LIMITS.modelJson, noLinks: true }),
          ) as {
            document?: unknown
          }
          document = validateDocument(raw.document, 'The run’s document')
        } catch {
          continue // not a run this version wrote: left alone, not listed
        }
        if (!existsSync(join(d.path, 'model.json'))) continue
        out.push(
          register({
            epochsDone: 0,
            final: {},
            history: [],
            documentName: document.name,
            savedAt: new Date(d.mtime).toISOString(),
            ...meta,
            document,
            runId: `history:${d.path}`,
            source: 'kept',
            modelJson: join(d.path, 'model.json'),
          }),
        )
      }
      return out.sort((a, b) => Date.parse(a.savedAt) - Date.parse(b.savedAt))
    },
    async prune() {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
      const dirs = await Promise.all(
        entries
          .filter((e) => e.isDirectory())
          .map(async (e) => ({
            path: join(root, e.name),
            mtime: await stat(join(root, e.name)).then(
              (s) => s.mtimeMs,
              () => Infinity, // gone meanwhile, or being written: never the one removed
            ),
          })),
      )
      dirs.sort((a, b) => b.mtime - a.mtime)
      const old = dirs.slice(KEEP_RUNS)
      for (const d of old) runs.delete(basename(d.path))
      await Promise.all(old.map((d) => rm(d.path, { recursive: true, force: true })))
    },
  }
}
