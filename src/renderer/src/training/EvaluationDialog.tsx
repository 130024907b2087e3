import { useEffect, useMemo, useState } from 'react'
import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts'
import { cellRows, rowsWorstFirst, type Evaluation } from '../../../shared/evaluation'
import type { DatasetSamples, NetwrightApi } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { Thumb } from '../datasets/Thumb'
import type { Run } from '../store/training'
import { CloseButton, Modal } from '../Modal'

const SHOWN = 24

/** The confusion matrix: rows the true class, columns the predicted one; a cell shows its samples. */
function ConfusionMatrix({
  e,
  cell,
  onCell,
}: {
  e: Evaluation
  cell: [number, number] | null
  onCell: (c: [number, number] | null) => void
}) {
  const m = e.confusion!
  return (
    <div className="confusion-wrap">
      <table className="confusion" data-testid="confusion-matrix" aria-label="Confusion matrix">
        <thead>
          <tr>
            <th className="corner">true ↓ · predicted →</th>
            {e.classes.map((c) => (
              <th key={c} scope="col" title={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.map((row, t) => {
            const total = row.reduce((a, b) => a + b, 0) || 1
            return (
              <tr key={t}>
                <th scope="row" title={e.classes[t]}>
                  {e.classes[t]}
                </th>
                {row.map((v, p) => {
                  const share = v / total
                  const selected = cell?.[0] === t && cell[1] === p
                  return (
                    <td key={p}>
                      <button
                        data-testid="confusion-cell"
                        data-true={t}
                        data-predicted={p}
                        className={`${t === p ? 'hit' : 'miss'}${selected ? ' selected' : ''}`}
                        style={{ '--share': share } as React.CSSProperties}
                        aria-pressed={selected}
                        aria-label={`${v} samples of ${e.classes[t]} predicted as ${e.classes[p]}`}
                        onClick={() => onCell(selected ? null : [t, p])}
                        disabled={v === 0}
                      >
                        {v}
                      </button>
                    </td>
                  )
                })}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function PerClass({ e }: { e: Evaluation }) {
  return (
    <table className="per-class" data-testid="per-class">
      <thead>
        <tr>
          <th>class</th>
          <th>precision</th>
          <th>recall</th>
          <th>F1</th>
          <th>samples</th>
        </tr>
      </thead>
      <tbody>
        {e.perClass!.map((m, c) => (
          <tr key={c}>
            <th scope="row">{e.classes[c]}</th>
            <td>{m.precision.toFixed(3)}</td>
            <td>{m.recall.toFixed(3)}</td>
            <td>{m.f1.toFixed(3)}</td>
            <td>{m.support.toLocaleString('en-US')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The probability bars of one sample: its top classes. */
function Bars({ e, row }: { e: Evaluation; row: number }) {
  const k = e.classes.length
  if (!e.probs) return null
  const probs = e.probs.slice(row * k, row * k + k)
  const top = probs
    .map((p, c) => ({ p, c }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3)
  return (
    <ul className="prob-bars">
      {top.map(({ p, c }) => (
        <li key={c} className={c === e.actual[row] ? 'true-class' : ''}>
          <span className="bar" style={{ width: `${Math.round(p * 100)}%` }} />
          <span className="bar-label">
            {e.classes[c]} {(p * 100).toFixed(0)}%
          </span>
        </li>
      ))}
    </ul>
  )
}

function SampleCard({ e, row, samples }: { e: Evaluation; row: number; samples: DatasetSamples | null }) {
  const regression = e.task === 'regression'
  const right = !regression && e.actual[row] === e.predicted[row]
  const img = samples?.images?.samples.find((s) => s.index === row)
  const text = samples?.texts?.find((s) => s.index === row)
  const values = samples?.rows?.find((s) => s.index === row)
  const truth = regression ? e.actual[row]!.toFixed(3) : e.classes[e.actual[row]!]
  const guess = regression ? e.predicted[row]!.toFixed(3) : e.classes[e.predicted[row]!]
  return (
    <li className={`sample ${regression ? '' : right ? 'right' : 'wrong'}`} data-testid="test-sample">
      {img && samples?.images && (
        <Thumb
          pixels={img.pixels}
          height={samples.images.height}
          width={samples.images.width}
          channels={samples.images.channels}
          label={`test sample ${row}`}
        />
      )}
      {text && <p className="sample-text">{text.text.slice(0, 400)}</p>}
      {values && (
        <p className="sample-values">
          {values.values.map((v) => (Number.isInteger(v) ? v : v.toFixed(2))).join(', ')}
        </p>
      )}
      <p className="sample-label" data-testid="sample-label">
        <span>true: {truth}</span> · <span>predicted: {guess}</span>
      </p>
      <Bars e={e} row={row} />
    </li>
  )
}

/** A regression's test rows: predicted against true, with the line where they are equal. */
function PredictedVsTrue({ e }: { e: Evaluation }) {
  const points = e.actual.slice(0, 2000).map((a, i) => ({ x: a, y: e.predicted[i]! }))
  const lo = Math.min(...points.map((p) => Math.min(p.x, p.y)))
  const hi = Math.max(...points.map((p) => Math.max(p.x, p.y)))
  return (
    <figure className="chart" data-testid="predicted-vs-true">
      <figcaption>Predicted against true (the diagonal is a perfect prediction)</figcaption>
      <ScatterChart width={420} height={300} margin={{ top: 8, right: 12, bottom: 24, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          type="number"
          dataKey="x"
          name="true"
          domain={[lo, hi]}
          tickFormatter={(v: number) => v.toFixed(1)}
        />
        <YAxis
          type="number"
          dataKey="y"
          name="predicted"
          domain={[lo, hi]}
          tickFormatter={(v: number) => v.toFixed(1)}
        />
        <ReferenceLine
          segment={[
            { x: lo, y: lo },
            { x: hi, y: hi },
          ]}
          stroke="#888"
        />
        <Tooltip />
        <Scatter data={points} fill="#2563eb" isAnimationActive={false} />
      </ScatterChart>
    </figure>
  )
}

/** A run's test results: the metrics, the confusion matrix and per-class table, and sample predictions. */
export function EvaluationDialog({
  api,
  run,
  evaluation: e,
  onClose,
}: {
  api: NetwrightApi
  run: Run
  evaluation: Evaluation
  onClose: () => void
}) {
  const [cell, setCell] = useState<[number, number] | null>(null)
  const [samples, setSamples] = useState<DatasetSamples | null>(null)
  const [error, setError] = useState<string | null>(null)
  const rows = useMemo(() => (cell ? cellRows(e, cell[0], cell[1]) : rowsWorstFirst(e, SHOWN)), [e, cell])
  const shown = rows.slice(0, SHOWN)
  const key = shown.join(',')
  const dataset = run.dataset
  useEffect(() => {
    if (!dataset || !key) return
    let live = true
    setError(null)
    api
      .invoke('datasets.samples', {
        id: dataset.id,
        options: dataset.options,
        seed: dataset.seed,
        split: 'test',
        indices: key.split(',').map(Number),
      })
      .then(
        (s) => live && setSamples(s),
        (err) => live && setError(errorMessage(err)),
      )
    return () => {
      live = false
    }
  }, [api, dataset, key])
  const metrics = Object.entries(e.metrics)
  return (
    <Modal
      title={<>Test results · {run.label}</>}
      className="test-results-dialog"
      onClose={onClose}
      buttons={<CloseButton onClose={onClose} />}
    >
      <p className="test-metrics" data-testid="test-metrics">
        {e.count.toLocaleString('en-US')} {e.split} samples the model never trained on ·{' '}
        {metrics.map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' · ')}
      </p>
      {e.confusion ? (
        <div className="test-grid">
          <ConfusionMatrix e={e} cell={cell} onCell={setCell} />
          <PerClass e={e} />
        </div>
      ) : (
        <PredictedVsTrue e={e} />
      )}
      <h3 data-testid="samples-heading">
        {cell
          ? `${rows.length.toLocaleString('en-US')} sample${rows.length === 1 ? '' : 's'} of ${e.classes[cell[0]]} predicted as ${e.classes[cell[1]]}${rows.length > SHOWN ? ` (the first ${SHOWN})` : ''}`
          : e.task === 'regression'
            ? 'The largest errors first'
            : 'Sample predictions, wrong ones first'}
        {cell && (
          <button className="link" onClick={() => setCell(null)}>
            show all
          </button>
        )}
      </h3>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {e.count > e.actual.length && (
        <p className="hint">
          Samples are shown from the first {e.actual.length.toLocaleString('en-US')} test rows; the matrix
          counts all {e.count.toLocaleString('en-US')}.
        </p>
      )}
      <ul className="samples" data-testid="test-samples">
        {shown.map((row) => (
          <SampleCard key={row} e={e} row={row} samples={samples} />
        ))}
      </ul>
    </Modal>
  )
}
