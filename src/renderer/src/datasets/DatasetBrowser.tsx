import { useEffect, useState } from 'react'
import type { DatasetInfo, DatasetProgress, NetwrightApi } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { DatasetOptions } from './DatasetOptions'
import { DatasetPreviewView } from './DatasetPreview'
import { usePreview } from './usePreview'
import { Modal } from '../Modal'

const GROUPS: { title: string; test: (d: DatasetInfo) => boolean }[] = [
  { title: 'Built in (no download)', test: (d) => d.builtIn },
  { title: 'Keras datasets', test: (d) => d.source === 'keras' },
  { title: 'Your own data', test: (d) => d.source === 'csv' || d.source === 'images' },
]

/**
 * Every dataset with what it is (task, shapes, classes, size, source, citation, whether it is cached)
 * and a look at it; the user can set its options, download it, and choose it for the project.
 */
export function DatasetBrowser(props: {
  api: NetwrightApi
  datasets: DatasetInfo[]
  current: { id: string; options: Record<string, unknown> }
  seed: number
  pathHelp?: string
  choosePath?: (kind: 'csv' | 'folder') => Promise<string | null>
  onUse: (choice: { id: string; options: Record<string, unknown> }) => void
  onClose: () => void
  onListChanged: () => void
}) {
  const [id, setId] = useState(props.current.id)
  const [optionsById, setOptionsById] = useState<Record<string, Record<string, unknown>>>({
    [props.current.id]: props.current.options,
  })
  const [refresh, setRefresh] = useState(0)
  const [progress, setProgress] = useState<DatasetProgress | null>(null)
  const [prepareError, setPrepareError] = useState<string | null>(null)
  const [preparing, setPreparing] = useState(false)
  const info = props.datasets.find((d) => d.id === id)
  const options = optionsById[id] ?? { ...(info?.defaultOptions ?? {}) }
  const { preview, error, loading } = usePreview(props.api, id, options, props.seed, refresh)

  useEffect(() => props.api.on('datasets.progress', (p) => p.id === id && setProgress(p)), [props.api, id])

  const prepare = async () => {
    setPreparing(true)
    setPrepareError(null)
    try {
      await props.api.invoke('datasets.prepare', { id })
      props.onListChanged()
      setRefresh((r) => r + 1)
    } catch (e) {
      setPrepareError(errorMessage(e))
    } finally {
      setPreparing(false)
      setProgress(null)
    }
  }

  return (
    <Modal
      title="Datasets"
      className="wide dataset-browser"
      onClose={props.onClose}
      keepOnOutsideClick
      buttons={
        <>
          <button onClick={props.onClose}>Cancel</button>
          <button
            className="primary"
            data-testid="dataset-use"
            disabled={!info?.loadable}
            onClick={() => props.onUse({ id, options })}
          >
            Use this dataset
          </button>
        </>
      }
    >
      <div className="browser-body">
        <nav className="dataset-list" aria-label="Dataset list">
          {GROUPS.map((g) => (
            <section key={g.title}>
              <h3>{g.title}</h3>
              <ul>
                {props.datasets.filter(g.test).map((d) => (
                  <li key={d.id}>
                    <button
                      className={d.id === id ? 'current' : ''}
                      data-testid={`dataset-item-${d.id}`}
                      onClick={() => {
                        setId(d.id)
                        setPrepareError(null)
                      }}
                    >
                      {d.name}
                      {d.source === 'keras' && (
                        <span className={`badge ${d.cached ? 'ok' : ''}`}>
                          {d.cached ? 'cached' : 'download'}
                        </span>
                      )}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </nav>
        {info && (
          <div className="dataset-detail" data-testid="dataset-detail">
            <h3>{info.name}</h3>
            <p>{info.description}</p>
            <dl className="facts">
              <dt>Task</dt>
              <dd>{preview?.task ?? info.task}</dd>
              {info.classes.length > 0 && (
                <>
                  <dt>Classes</dt>
                  <dd>
                    {info.classes.length}
                    {info.classes.length <= 12 ? `: ${info.classes.join(', ')}` : ''}
                  </dd>
                </>
              )}
              <dt>Source</dt>
              <dd>
                {info.source === 'keras'
                  ? 'Keras (keras.datasets), downloaded once into the Keras cache'
                  : info.builtIn
                    ? 'Generated here from the seed'
                    : 'Your files'}
              </dd>
              {info.citation && (
                <>
                  <dt>Citation</dt>
                  <dd>{info.citation}</dd>
                </>
              )}
              {info.files && (
                <>
                  <dt>Files</dt>
                  <dd data-testid="dataset-files">
                    {info.cached ? 'cached at ' : 'not downloaded yet; will be at '}
                    {info.files.join(', ')}
                  </dd>
                </>
              )}
            </dl>
            {info.source === 'keras' && !info.cached && (
              <div className="prepare">
                <button onClick={prepare} disabled={preparing} data-testid="dataset-download">
                  {preparing ? 'Downloading…' : 'Download'}
                </button>
                {progress && (
                  <span className="hint" data-testid="dataset-progress">
                    {progress.file}:{' '}
                    {progress.percent === null
                      ? `${(progress.bytes / 1e6).toFixed(1)} MB`
                      : `${progress.percent.toFixed(0)}%`}{' '}
                    · {(progress.bytesPerSec / 1e6).toFixed(1)} MB/s
                  </span>
                )}
                {prepareError && (
                  <div className="error-banner" role="alert" data-testid="dataset-download-error">
                    {prepareError}
                  </div>
                )}
              </div>
            )}
            <h4>Settings</h4>
            <DatasetOptions
              info={info}
              values={options}
              pathHelp={props.pathHelp}
              choosePath={props.choosePath}
              onChange={(k, v) => setOptionsById((all) => ({ ...all, [id]: { ...options, [k]: v } }))}
            />
            <h4>Preview {loading && <span className="hint">loading…</span>}</h4>
            {error && (
              <div className="error-banner" role="alert" data-testid="dataset-preview-error">
                {error}
              </div>
            )}
            {preview && !error && <DatasetPreviewView preview={preview} />}
          </div>
        )}
      </div>
    </Modal>
  )
}
