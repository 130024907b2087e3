import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { Run } from '../store/training'

const COLORS = ['#1f5fbf', '#d9730d', '#1e8a44', '#b3261e', '#7c3aed', '#0891b2', '#a16207', '#db2777']

/**
 * How large each layer's gradients are, epoch by epoch, on a log scale: the RNN deck's vanishing
 * (the first layers' lines far below the last's) and exploding (lines climbing) gradients.
 */
export function GradientsChart({ run }: { run: Run | undefined }) {
  const g = run?.gradients
  if (!g?.length) return null
  const layers = Object.keys(g.at(-1)!.norms)
  const data = g.map((e) => ({ epoch: e.epoch, ...e.norms }))
  const last = g.at(-1)!.norms
  const values = Object.values(last).filter((v) => v > 0)
  const spread = values.length > 1 ? Math.max(...values) / Math.min(...values) : 1
  return (
    <figure
      className="chart gradients"
      data-testid="gradients-chart"
      data-layers={layers.length}
      data-epochs={g.length}
    >
      <figcaption>
        Gradient size per layer <span className="muted">(‖∂loss/∂w‖, log scale)</span>
        {spread >= 100 && (
          <span className="chart-hint" data-testid="gradients-spread">
            the largest is {Math.round(spread).toLocaleString('en-US')}× the smallest: the first layers learn
            slowly
          </span>
        )}
      </figcaption>
      <ResponsiveContainer width="100%" height={150}>
        <LineChart data={data} margin={{ top: 4, right: 12, bottom: 0, left: -6 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e3e3" />
          <XAxis
            dataKey="epoch"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDecimals={false}
            tick={{ fontSize: 10 }}
          />
          <YAxis
            scale="log"
            domain={['auto', 'auto']}
            tick={{ fontSize: 10 }}
            tickFormatter={(v: number) => v.toExponential(0)}
          />
          <Tooltip
            labelFormatter={(e) => `epoch ${e}`}
            formatter={(v) => (typeof v === 'number' ? v.toExponential(3) : v)}
          />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {layers.map((l, i) => (
            <Line
              key={l}
              dataKey={l}
              name={l}
              stroke={COLORS[i % COLORS.length]}
              strokeWidth={1.5}
              dot={{ r: 2 }}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  )
}
