import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { evaluationOf, useTraining, type Run } from '../store/training'
import { testFigure } from './TestResults'

const COLORS = ['#1f5fbf', '#d9730d', '#1e8a44', '#b3261e', '#7c3aed', '#0891b2', '#a16207', '#be185d']

/** The runs of this session: pick one to show, tick several to overlay and compare. */
export function RunsList({
  runs,
  shown,
  onView,
}: {
  runs: Run[]
  shown: Run | undefined
  onView: (runId: string) => void
}) {
  const compare = useTraining((s) => s.compare)
  const toggle = useTraining((s) => s.toggleCompare)
  return (
    <div className="runs" aria-label="Runs">
      <h3>Runs</h3>
      {runs.length === 0 && <p className="hint">Runs of this session appear here.</p>}
      {runs.length >= 2 && <p className="hint">Tick two or more to overlay their curves.</p>}
      <ul>
        {runs.map((r) => (
          <li key={r.id} className="run-row">
            <input
              type="checkbox"
              data-testid="compare-run"
              aria-label={`Compare ${r.label}`}
              checked={compare.includes(r.id)}
              onChange={() => toggle(r.id)}
            />
            <button
              className={r.id === shown?.id ? 'run current' : 'run'}
              data-testid="run-item"
              onClick={() => onView(r.id)}
              title={r.summary}
            >
              {r.label} · {r.status.state}
              {testFigure(r)
                ? ` · ${testFigure(r)}`
                : r.status.final?.val_accuracy !== undefined
                  ? ` · ${r.status.final.val_accuracy.toFixed(3)}`
                  : ''}
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}

/** One figure per epoch for each run (validation where the run has it, else training). */
function OverlayChart({ runs, metric }: { runs: Run[]; metric: 'loss' | 'accuracy' }) {
  const key = (r: Run) =>
    r.points.some((p) => p[`val_${metric}`] !== undefined) ? (`val_${metric}` as const) : metric
  const rows: Record<string, number>[] = []
  runs.forEach((r) => {
    const k = key(r)
    for (const p of r.points) {
      const v = p[k]
      if (v === undefined) continue
      const row = (rows[p.epoch - 1] ??= { epoch: p.epoch })
      row[r.id] = v
    }
  })
  const data = rows.filter(Boolean)
  return (
    <figure className="chart" data-testid={`overlay-${metric}`} data-runs={runs.length}>
      <figcaption>
        {metric === 'loss' ? 'Loss' : 'Accuracy'} by epoch{' '}
        <span className="muted">(validation where the run has it)</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <LineChart data={data} margin={{ top: 4, right: 12, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e3e3" />
          <XAxis dataKey="epoch" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 10 }} />
          <YAxis tick={{ fontSize: 10 }} domain={metric === 'accuracy' ? [0, 1] : ['auto', 'auto']} />
          <Tooltip
            labelFormatter={(e) => `epoch ${e}`}
            formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : v)}
          />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {runs.map((r, i) => (
            <Line
              key={r.id}
              dataKey={r.id}
              name={`${r.label} ${key(r)}`}
              stroke={COLORS[i % COLORS.length]}
              strokeWidth={2}
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  )
}

const best = (r: Run, k: 'val_loss' | 'val_accuracy') => {
  const v = r.points.map((p) => p[k]).filter((x): x is number => x !== undefined)
  if (!v.length) return '—'
  return (k === 'val_loss' ? Math.min(...v) : Math.max(...v)).toFixed(4)
}

/** Runs side by side: their curves overlaid, and a table of what differs between them. */
export function CompareView({ runs }: { runs: Run[] }) {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.settings ?? {})))]
  const differs = (k: string) => new Set(runs.map((r) => r.settings?.[k] ?? '—')).size > 1
  const shownKeys = keys.filter(differs)
  return (
    <div className="compare" data-testid="compare">
      <div className="charts">
        <OverlayChart runs={runs} metric="loss" />
        <OverlayChart runs={runs} metric="accuracy" />
      </div>
      <table className="compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th>run</th>
            {shownKeys.map((k) => (
              <th key={k}>{k}</th>
            ))}
            <th>best val_loss</th>
            <th>best val_accuracy</th>
            <th>test</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const e = evaluationOf(r)
            return (
              <tr key={r.id}>
                <th scope="row">{r.label}</th>
                {shownKeys.map((k) => (
                  <td key={k}>{r.settings?.[k] ?? '—'}</td>
                ))}
                <td>{best(r, 'val_loss')}</td>
                <td>{best(r, 'val_accuracy')}</td>
                <td>
                  {e
                    ? e.task === 'regression'
                      ? `mae ${e.metrics.mae!.toFixed(4)}`
                      : `accuracy ${e.metrics.accuracy!.toFixed(4)}`
                    : '—'}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {shownKeys.length === 0 && (
        <p className="hint" data-testid="compare-same">
          These runs trained the same model with the same settings.
        </p>
      )}
    </div>
  )
}
