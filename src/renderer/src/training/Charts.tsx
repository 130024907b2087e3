import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { ChartPoint } from '../store/training'

const SERIES = {
  loss: [
    { key: 'batch_loss', name: 'loss (batch)', color: '#9db7e0', width: 1 },
    { key: 'loss', name: 'loss (epoch)', color: '#1f5fbf', width: 2 },
    { key: 'val_loss', name: 'val_loss (epoch)', color: '#d9730d', width: 2 },
  ],
  accuracy: [
    { key: 'batch_accuracy', name: 'accuracy (batch)', color: '#a8d5b5', width: 1 },
    { key: 'accuracy', name: 'accuracy (epoch)', color: '#1e8a44', width: 2 },
    { key: 'val_accuracy', name: 'val_accuracy (epoch)', color: '#b3261e', width: 2 },
  ],
} as const

/** A live chart of one metric: batch values as a thin line, epoch values (train and validation) as points. */
export function MetricChart({ metric, points }: { metric: keyof typeof SERIES; points: ChartPoint[] }) {
  const series = SERIES[metric]
  const count = points.filter((p) => series.some((s) => p[s.key] !== undefined)).length
  // Epoch vs batch, made visible: the x axis counts batches, and each epoch's end is a dashed line
  // (every k-th of many, so they stay readable).
  const ends = points.filter((p) => p.loss !== undefined || p.val_loss !== undefined)
  const every = Math.max(1, Math.ceil(ends.length / 24))
  const shownEnds = ends.filter((p, i) => (i + 1) % every === 0 || i === ends.length - 1)
  return (
    <figure
      className="chart"
      data-testid={`chart-${metric}`}
      data-points={count}
      data-epoch-lines={shownEnds.length}
    >
      <figcaption>
        {metric === 'loss' ? 'Loss' : 'Accuracy'} <span className="muted">({count} points)</span>
        <span
          className="chart-hint"
          title="Each batch updates the weights once; an epoch is one pass over every training sample."
        >
          by batch · dashed: each epoch&apos;s end
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <LineChart data={points} margin={{ top: 4, right: 12, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e3e3" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 10 }} />
          <YAxis tick={{ fontSize: 10 }} domain={metric === 'accuracy' ? [0, 1] : ['auto', 'auto']} />
          <Tooltip
            labelFormatter={(s) => `batch ${s}`}
            formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : v)}
          />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {shownEnds.map((p) => (
            <ReferenceLine
              key={`e${p.epoch}`}
              x={p.step}
              stroke="#b9c2cf"
              strokeDasharray="3 3"
              className="epoch-line"
              label={
                shownEnds.length <= 8
                  ? { value: `epoch ${p.epoch}`, position: 'insideTopRight', fontSize: 9, fill: '#8893a2' }
                  : undefined
              }
            />
          ))}
          {series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stroke={s.color}
              strokeWidth={s.width}
              dot={s.width > 1 ? { r: 2 } : false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  )
}
