import { useState } from 'react'
import {
  defaultExportName,
  EXPORT_FORMAT_INFO,
  EXPORT_FORMATS,
  exportFileNames,
  WEIGHT_FORMATS,
  type ExportFormat,
  type NetwrightApi,
  type SystemInfo,
} from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { useDoc } from '../store/document'
import { describeRun, useTraining } from '../store/training'
import { Modal } from '../Modal'

export interface ExportChoice {
  format: ExportFormat
  runId?: string
}

/**
 * File > Export: a format, a folder and a name; for TensorFlow.js, the run whose weights go with it.
 * An error keeps the dialog open with everything as the user left it.
 */
export function ExportDialog(props: {
  api: NetwrightApi
  info: SystemInfo | null
  initial: ExportChoice
  onDone: (message: string) => void
  onCancel: () => void
}) {
  const doc = useDoc((s) => s.doc)
  const runs = useTraining((s) => s.runs).filter((r) => r.record)
  const [format, setFormat] = useState<ExportFormat>(props.initial.format)
  const [name, setName] = useState(defaultExportName(props.initial.format, doc.name))
  const [runId, setRunId] = useState(props.initial.runId ?? runs.at(-1)?.id ?? '')
  const native = !!props.info?.nativeDialogs
  const [folder, setFolder] = useState(native ? '' : 'exports')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const needsRun = WEIGHT_FORMATS.includes(format)

  const changeFormat = (f: ExportFormat) => {
    // The name follows the format unless the user typed one of their own.
    if (name === defaultExportName(format, doc.name)) setName(defaultExportName(f, doc.name))
    setFormat(f)
    setError(null)
  }
  const choose = async () => {
    try {
      const r = await props.api.invoke('dialog.chooseFolder', {})
      if (r.path) setFolder(r.path)
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  const submit = async () => {
    if (native && !folder) return setError('Choose a folder to export into.')
    if (needsRun && !runId)
      return setError('There are no trained weights yet: train the model first, then export it.')
    setBusy(true)
    setError(null)
    try {
      const r = await props.api.invoke('export.model', {
        document: doc,
        format,
        folder,
        name: name.trim(),
        ...(needsRun ? { runId } : {}),
      })
      props.onDone(`Exported ${r.files.join(', ')}${r.notes.length ? `\n${r.notes.join('\n')}` : ''}`)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const info = EXPORT_FORMAT_INFO[format]
  return (
    <Modal
      title="Export"
      onClose={props.onCancel}
      keepOnOutsideClick
      buttons={
        <>
          <button onClick={props.onCancel}>Cancel</button>
          <button
            className="primary"
            data-testid="export-confirm"
            onClick={() => void submit()}
            disabled={busy}
          >
            {busy ? 'Exporting…' : 'Export'}
          </button>
        </>
      }
    >
      <label className="field">
        Format
        <select
          data-testid="export-format"
          value={format}
          onChange={(e) => changeFormat(e.target.value as ExportFormat)}
        >
          {EXPORT_FORMATS.map((f) => (
            <option key={f} value={f}>
              {EXPORT_FORMAT_INFO[f].label}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">{info.help}</p>
      {needsRun && (
        <label className="field">
          Weights
          {runs.length ? (
            <select data-testid="export-run-choice" value={runId} onChange={(e) => setRunId(e.target.value)}>
              {runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {describeRun(r)}
                </option>
              ))}
            </select>
          ) : (
            <span className="hint" data-testid="export-no-run">
              None yet: train the model first (or open a TensorFlow.js model.json with its weights).
            </span>
          )}
        </label>
      )}
      <label className="field">
        Folder
        {native ? (
          <span className="folder-choice">
            <input data-testid="export-folder" value={folder} readOnly placeholder="No folder chosen" />
            <button onClick={() => void choose()}>Choose…</button>
          </span>
        ) : (
          <input data-testid="export-folder" value={folder} onChange={(e) => setFolder(e.target.value)} />
        )}
      </label>
      {!native && props.info?.workspace && (
        <p className="hint">A folder inside the workspace {props.info.workspace} (created if needed).</p>
      )}
      <label className="field">
        Name
        <input
          data-testid="export-name"
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && void submit()}
        />
      </label>
      <p className="hint" data-testid="export-writes">
        Writes {exportFileNames(format, name)}
      </p>
      {error && (
        <p className="error-text" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
    </Modal>
  )
}
