import { useMemo } from 'react'
import type { Analysis } from '../../../shared/graph/analyze'
import type { NetDocument } from '../../../shared/graph/schema'
import { formatSummary } from '../../../shared/keras/summary'
import { CloseButton, Modal } from '../Modal'

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
    <Modal
      title="Model summary"
      className="wide"
      onClose={onClose}
      buttons={
        <>
          <button onClick={() => void navigator.clipboard?.writeText(text)}>Copy</button>
          <CloseButton onClose={onClose} />
        </>
      }
    >
      {!analysis.ok && (
        <p className="error-text">
          The model has problems; shapes marked ? are not known until they are fixed.
        </p>
      )}
      <pre className="summary" data-testid="summary-text">
        {text}
      </pre>
    </Modal>
  )
}
