import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
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
  return (
    <figure className="chart" data-testid={`chart-${metric}`} data-points={count}>
      <figcaption>
        {metric === 'loss' ? 'Loss' : 'Accuracy'} <span className="muted">({count} points)</span>
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
