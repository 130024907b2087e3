import { useEffect, useState } from 'react'
import type { NetwrightApi, TemplateInfo } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { Modal } from '../Modal'

/** "New from template": the example projects, each with what it is for and its size. */
export function TemplateGallery(props: {
  api: NetwrightApi
  onChoose: (name: string) => void
  onCancel: () => void
}) {
  const [templates, setTemplates] = useState<TemplateInfo[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    props.api.invoke('project.templates', {}).then(setTemplates, (e) => setError(errorMessage(e)))
  }, [props.api])
  return (
    <Modal
      title="New from template"
      className="wide"
      onClose={props.onCancel}
      buttons={
        <>
          <button onClick={props.onCancel} autoFocus>
            Cancel
          </button>
        </>
      }
    >
      {error && <p className="error-text">{error}</p>}
      {templates === null && !error && <p className="hint">Loading…</p>}
      <ul className="template-list" data-testid="template-list">
        {templates?.map((t) => (
          <li key={t.name}>
            <button onClick={() => props.onChoose(t.name)} data-testid={`template-${t.name}`}>
              <span className="template-title">{t.title}</span>
              <span className="template-meta">
                {t.layers} layers · {t.totalParams.toLocaleString('en-US')} params · dataset {t.dataset}
              </span>
              <span className="template-doc">{t.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  )
}
