import { useMemo } from 'react'
import type { Analysis } from '../../../shared/graph/analyze'
import type { NetDocument } from '../../../shared/graph/schema'
import { formatSummary } from '../../../shared/keras/summary'

/** The model as Keras's model.summary() prints it (the same text as `netwright summary`). */
export function SummaryDialog({
  doc,
  analysis,
  onClose,
}: {
  doc: NetDocument
  analysis: Analysis
  onClose: () => void
}) {
  const text = useMemo(() => formatSummary(doc, analysis), [doc, analysis])
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="modal wide" role="dialog" aria-modal="true" aria-label="Model summary">
        <h2>Model summary</h2>
        {!analysis.ok && (
          <p className="error-text">
            The model has problems; shapes marked ? are not known until they are fixed.
          </p>
        )}
        <pre className="summary" data-testid="summary-text">
          {text}
        </pre>
        <div className="modal-buttons">
          <button onClick={() => void navigator.clipboard?.writeText(text)}>Copy</button>
          <button className="primary" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  )
}
