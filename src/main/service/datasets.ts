// The dataset calls of the service: list, prepare (find in the Keras cache or download, with
// progress), preview (cached: the panel and the browser ask for the same one), and resolving the path
// a project names for the user's own data through the host's file policy.
import type { NetDocument } from '../../shared/graph/schema'
import type { DatasetPreview, DatasetSamples, EventName, Events } from '../../shared/ipc/contract'
import type { LoadedDataset } from '../datasets/builtins'
import { datasetSamples } from '../datasets/samples'
import { DatasetUnavailableError } from '../datasets/download'
import { DatasetFileError } from '../datasets/idx'
import { previewDataset } from '../datasets/preview'
import { datasetInfos, isUserDataset, loadAnyDataset, prepareKerasDataset } from '../datasets/registry'
import { showValue } from '../../shared/json-limits'
import { ServiceError } from './errors'
import type { ProjectFiles } from './files'

type Emit = <E extends EventName>(event: E, payload: Events[E]) => void

/** Previews of the last few (id, options, seed) asked for; the user's own files are never cached. */
const PREVIEWS_KEPT = 4

export function datasetCalls(kerasDir: string, files: ProjectFiles, emit: Emit) {
  const previews = new Map<string, Promise<DatasetPreview>>()

  /** Finds a Keras dataset in the cache or downloads it, reporting progress (and on a run's status line). */
  async function prepare(id: string, runId?: string): Promise<string[]> {
    try {
      const paths = await prepareKerasDataset(id, kerasDir, {
        onProgress: (p) => {
          emit('datasets.progress', { id, ...p })
          if (runId)
            emit('training.status', {
              runId,
              state: 'starting',
              message: `Downloading ${p.file}: ${p.percent === null ? `${(p.bytes / 1e6).toFixed(1)} MB` : `${p.percent.toFixed(0)}%`} (${(p.bytesPerSec / 1e6).toFixed(1)} MB/s)`,
            })
        },
      })
      previews.clear() // what was "not downloaded yet" now is
      return paths
    } catch (e) {
      if (e instanceof DatasetUnavailableError || e instanceof DatasetFileError)
        throw new ServiceError('unavailable', e.message)
      throw e
    }
  }

  /** The user's own data names a path: the host resolves it and says whether it may be read. */
  function resolve(ds: NetDocument['dataset']): NetDocument['dataset'] {
    if (!isUserDataset(ds.id)) return ds
    const p = ds.options.path
    if (typeof p !== 'string' || !p)
      throw new ServiceError(
        'bad-request',
        `Choose ${ds.id === 'csv' ? 'a CSV file' : 'an image folder'} first (Datasets… in the training panel).`,
      )
    return { ...ds, options: { ...ds.options, path: files.resolve(p) } }
  }

  const known = (id: string) => {
    const info = datasetInfos(kerasDir).find((x) => x.id === id)
    if (!info) throw new ServiceError('not-found', `There is no dataset ${showValue(id, 60)}.`)
    return info
  }

  async function preview(
    id: string,
    options: Record<string, unknown>,
    seed: number,
  ): Promise<DatasetPreview> {
    known(id)
    const { options: resolved } = resolve({ id, options })
    const key = JSON.stringify([id, resolved, seed])
    const cached = isUserDataset(id) ? undefined : previews.get(key)
    const made =
      cached ??
      previewDataset(id, resolved, seed, kerasDir).catch((e: unknown) => {
        previews.delete(key)
        if (e instanceof ServiceError) throw e
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EACCES') throw new ServiceError('forbidden', (e as Error).message)
        throw new ServiceError('bad-request', (e as Error).message)
      })
    if (!cached && !isUserDataset(id)) {
      previews.set(key, made)
      if (previews.size > PREVIEWS_KEPT) previews.delete(previews.keys().next().value!)
    }
    return made
  }

  /** The last dataset loaded for its samples (the strip pages through one run's test split). */
  let loaded: { key: string; data: Promise<LoadedDataset> } | undefined
  async function samples(r: {
    id: string
    options: Record<string, unknown>
    seed: number
    split: 'train' | 'test'
    indices: number[]
  }): Promise<DatasetSamples> {
    const info = known(r.id)
    if (info.source === 'keras' && !info.cached)
      throw new ServiceError(
        'unavailable',
        `The dataset "${r.id}" is not downloaded yet; press Train or Prepare.`,
      )
    const { options } = resolve({ id: r.id, options: r.options })
    const key = JSON.stringify([r.id, options, r.seed])
    if (loaded?.key !== key || isUserDataset(r.id))
      loaded = { key, data: loadAnyDataset(r.id, options, r.seed, kerasDir) }
    const current = loaded
    try {
      const imageShape =
        r.id === 'images'
          ? [
              Number(options.height ?? 32),
              Number(options.width ?? 32),
              options.color_mode === 'grayscale' ? 1 : 3,
            ]
          : info.sampleShape.length >= 2
            ? info.sampleShape
            : undefined
      return await datasetSamples(await current.data, r.split, r.indices, kerasDir, imageShape)
    } catch (e) {
      if (loaded === current) loaded = undefined
      if (e instanceof ServiceError) throw e
      throw new ServiceError('bad-request', (e as Error).message)
    }
  }

  return {
    prepare,
    resolve,
    handlers: {
      'datasets.list': async () => datasetInfos(kerasDir),
      'datasets.prepare': async ({ id }: { id: string }) => ({
        id,
        files: known(id).source === 'keras' ? await prepare(id) : [],
      }),
      'datasets.preview': async (r: { id: string; options: Record<string, unknown>; seed: number }) =>
        preview(r.id, r.options, r.seed),
      'datasets.samples': samples,
    },
  }
}
