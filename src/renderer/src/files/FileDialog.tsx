import { useEffect, useState } from 'react'
import type { NetwrightApi, ProjectEntry } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { Modal } from '../Modal'

/**
 * The browser host's Open / Save As dialog: projects live in the workspace folder the server was
 * started with, so this lists that folder instead of the user's whole disk.
 */
export function FileDialog(props: {
  api: NetwrightApi
  mode: 'open' | 'save'
  suggestedName: string
  onChoose: (path: string) => void
  onCancel: () => void
}) {
  const [files, setFiles] = useState<ProjectEntry[] | null>(null)
  const [name, setName] = useState(props.suggestedName)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    props.api.invoke('project.list', {}).then(setFiles, (e) => setError(errorMessage(e)))
  }, [props.api])
  const submit = () => {
    const n = name.trim()
    if (!n) return setError('Enter a file name.')
    props.onChoose(n)
  }
  return (
    <Modal
      title={props.mode === 'open' ? 'Open project' : 'Save project as'}
      onClose={props.onCancel}
      keepOnOutsideClick
      buttons={
        <>
          <button onClick={props.onCancel}>Cancel</button>
          <button className="primary" data-testid="file-confirm" onClick={submit}>
            {props.mode === 'open' ? 'Open' : 'Save'}
          </button>
        </>
      }
    >
      <p className="hint">Files in the workspace folder.</p>
      <ul className="file-list" data-testid="file-list">
        {files === null && <li className="hint">Loading…</li>}
        {files?.length === 0 && <li className="hint">No projects here yet.</li>}
        {files?.map((f) => (
          <li key={f.path}>
            <button
              onClick={() => (props.mode === 'open' ? props.onChoose(f.path) : setName(f.path))}
              onDoubleClick={() => props.onChoose(f.path)}
            >
              {f.path}
            </button>
          </li>
        ))}
      </ul>
      <label className="field">
        File name
        <input
          data-testid="file-name"
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && submit()}
        />
      </label>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </Modal>
  )
}
