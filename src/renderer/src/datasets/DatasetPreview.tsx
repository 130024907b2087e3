import { Thumb } from './Thumb'
import type { DatasetPreview as Preview } from '../../../shared/ipc/contract'

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2']

function Scatter({ points, classes }: { points: NonNullable<Preview['points']>; classes: string[] }) {
  const xs = points.map((p) => p.x)
  const ys = points.map((p) => p.y)
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]
  const sx = (x: number) => 10 + ((x - x0) / (x1 - x0 || 1)) * 220
  const sy = (y: number) => 230 - ((y - y0) / (y1 - y0 || 1)) * 220
  return (
    <svg
      className="scatter"
      viewBox="0 0 240 240"
      data-testid="preview-points"
      role="img"
      aria-label={`Scatter of ${points.length} points in ${classes.length} classes`}
    >
      {points.map((p, i) => (
        <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r={2.2} fill={COLORS[p.label % COLORS.length]} />
      ))}
    </svg>
  )
}

/** What a dataset holds: counts, class balance and a look at the samples. */
export function DatasetPreviewView({ preview }: { preview: Preview }) {
  const max = Math.max(1, ...preview.balance)
  return (
    <div className="dataset-preview" data-testid="dataset-preview">
      <dl className="facts">
        <dt>Task</dt>
        <dd data-testid="preview-task">{preview.task}</dd>
        <dt>One sample</dt>
        <dd data-testid="preview-shape">[{preview.sampleShape.join(', ')}]</dd>
        <dt>Training samples</dt>
        <dd data-testid="preview-count">
          {preview.cached ? preview.count.toLocaleString('en-US') : 'not downloaded yet'}
        </dd>
        {preview.testCount !== undefined && (
          <>
            <dt>Held back for testing</dt>
            <dd>{preview.testCount.toLocaleString('en-US')}</dd>
          </>
        )}
        {preview.target && (
          <>
            <dt>Target</dt>
            <dd>
              {preview.target.min.toFixed(2)} to {preview.target.max.toFixed(2)}, mean{' '}
              {preview.target.mean.toFixed(2)}
            </dd>
          </>
        )}
      </dl>
      {preview.notes.map((n) => (
        <p className="hint" key={n}>
          {n}
        </p>
      ))}
      {preview.table?.taskReason && <p className="hint">Task: {preview.table.taskReason}.</p>}
      {preview.task === 'classification' && preview.balance.length > 0 && (
        <div className="balance" data-testid="preview-balance" aria-label="Class balance">
          {preview.classes.map((c, i) => (
            <div className="balance-row" key={c} title={`${c}: ${preview.balance[i]}`}>
              <span className="balance-label">{c}</span>
              <span
                className="balance-bar"
                style={{ width: `${(100 * (preview.balance[i] ?? 0)) / max}%` }}
              />
              <span className="balance-count">{preview.balance[i]?.toLocaleString('en-US')}</span>
            </div>
          ))}
        </div>
      )}
      {preview.images && (
        <div className="thumbs" data-testid="preview-images">
          {preview.images.samples.map((s, i) => (
            <Thumb key={i} {...preview.images!} pixels={s.pixels} label={s.label} />
          ))}
        </div>
      )}
      {preview.texts && (
        <ol className="texts" data-testid="preview-texts">
          {preview.texts.map((t, i) => (
            <li key={i}>
              <b>{t.label}</b> {t.text.length > 600 ? `${t.text.slice(0, 600)}…` : t.text}
            </li>
          ))}
        </ol>
      )}
      {preview.table && (
        <div className="table-wrap">
          <table data-testid="preview-table">
            <thead>
              <tr>
                {preview.table.columns.map((c) => (
                  <th
                    key={c.name}
                    title={`${c.kind}${c.detail ? `: ${c.detail}` : ''}${c.missing ? ` (${c.missing} empty)` : ''}`}
                    className={`role-${c.role}`}
                  >
                    {c.name}
                    <small>
                      {c.role === 'target' ? 'target' : c.role === 'ignored' ? 'ignored' : c.kind}
                    </small>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.table.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((v, k) => (
                    <td key={k}>{v}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.points && <Scatter points={preview.points} classes={preview.classes} />}
    </div>
  )
}
