import { useState } from 'react'
import type { NetDocument } from '../../../shared/graph/schema'
import type { NetwrightApi } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { evaluationOf, isLive, runDataset, useTraining, type Run } from '../store/training'
import { EvaluationDialog } from './EvaluationDialog'
import { InsideDialog } from './InsideDialog'

/** The figure a run's test split is judged by: accuracy, or MAE for regression. */
export function testFigure(r: Run): string | null {
  const e = evaluationOf(r)
  if (!e) return null
  return e.task === 'regression'
    ? `test mae ${e.metrics.mae!.toFixed(3)}`
    : `test ${e.metrics.accuracy!.toFixed(3)}`
}

/**
 * Under the status line once a run has ended: its test figures and the way to its test results; for
 * weights with none yet (kept, imported), the button that evaluates them.
 */
export function TestResults({
  api,
  run,
  doc,
}: {
  api: NetwrightApi
  run: Run | undefined
  doc: NetDocument
}) {
  const [open, setOpen] = useState(false)
  const [inside, setInside] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const setEvaluation = useTraining((s) => s.setEvaluation)
  if (!run || isLive(run)) return null
  const e = evaluationOf(run)
  if (!e) {
    if (!run.record) return null
    const evaluate = () => {
      setBusy(true)
      setError(null)
      api
        .invoke('model.evaluate', { document: doc, runId: run.id })
        .then(
          (ev) => setEvaluation(run.id, ev),
          (err) => setError(errorMessage(err)),
        )
        .finally(() => setBusy(false))
    }
    return (
      <div className="test-results">
        <button data-testid="evaluate-run" onClick={evaluate} disabled={busy}>
          {busy ? 'Evaluating…' : 'Evaluate on the test split'}
        </button>
        {error && (
          <span className="error-text" role="alert">
            {' '}
            {error}
          </span>
        )}
      </div>
    )
  }
  // Runs of this session know their dataset; kept and imported ones use the document's.
  const withDataset = run.dataset ? run : { ...run, dataset: runDataset(doc) }
  const figures =
    e.task === 'regression'
      ? `MAE ${e.metrics.mae!.toFixed(4)} · MSE ${e.metrics.mse!.toFixed(4)}`
      : `accuracy ${e.metrics.accuracy!.toFixed(4)}`
  return (
    <div className="test-results" data-testid="test-summary">
      <span>
        Test ({e.count.toLocaleString('en-US')} samples): {figures} · loss {e.metrics.loss!.toFixed(4)}
      </span>
      <button data-testid="open-test-results" onClick={() => setOpen(true)}>
        Test results…
      </button>
      {run.record && (
        <button
          data-testid="open-inside"
          onClick={() => setInside(true)}
          title="Every layer's output for one sample"
        >
          Inside the model…
        </button>
      )}
      {inside && (
        <InsideDialog
          api={api}
          run={withDataset}
          doc={doc}
          classes={e.classes}
          onClose={() => setInside(false)}
        />
      )}
      {open && <EvaluationDialog api={api} run={withDataset} evaluation={e} onClose={() => setOpen(false)} />}
    </div>
  )
}
