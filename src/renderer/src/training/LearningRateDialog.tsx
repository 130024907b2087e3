import { useEffect, useState } from 'react'
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { NetDocument } from '../../../shared/graph/schema'
import type { LearningRateSweep, NetwrightApi } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { Modal } from '../Modal'
import { rate, sweepVerdict, yRange } from './lr-verdict'

/**
 * The learning rate's effect on this model and data: one batch at each of many rates, from fresh
 * weights, the loss against the rate (log scale), the project's rate and where the loss falls
 * fastest marked, and a button to use that one.
 */
export function LearningRateDialog(props: {
  api: NetwrightApi
  doc: NetDocument
  onUse: (lr: number) => void
  onClose: () => void
}) {
  const { api, doc } = props
  const [sweep, setSweep] = useState<LearningRateSweep | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    api.invoke('model.learningRates', { document: doc }).then(
      (s) => live && setSweep(s),
      (e) => live && setError(errorMessage(e)),
    )
    return () => {
      live = false
    }
    // The test runs once, on the project as it was when the dialog opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api])
  const chosen = sweep?.suggestion ?? null
  return (
    <Modal
      title="The learning rate’s effect"
      className="wide lr-dialog"
      onClose={props.onClose}
      testId="lr-dialog"
      buttons={
        <>
          {chosen !== null && (
            <button data-testid="lr-use" onClick={() => props.onUse(Number(chosen.toPrecision(2)))}>
              Use {rate(chosen)}
            </button>
          )}
          <button className="primary" onClick={props.onClose} autoFocus>
            Close
          </button>
        </>
      }
    >
      <p className="hint">
        From fresh weights, one batch of {doc.training.batchSize} at each rate, the rate growing from 1e−6
        towards 1 ({doc.compile.optimizer}); the loss of each batch, and smoothed.
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {!sweep && !error && (
        <p className="hint" data-testid="lr-running">
          Training a batch at each rate…
        </p>
      )}
      {sweep && (
        <>
          <div className="chart" data-testid="lr-chart" data-points={sweep.points.length}>
            <ResponsiveContainer width="100%" height={220}>
              <LineChart data={sweep.points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e3e3e3" />
                <XAxis
                  dataKey="lr"
                  type="number"
                  scale="log"
                  domain={[sweep.from, sweep.to]}
                  ticks={[1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]}
                  tickFormatter={(v: number) => v.toExponential(0)}
                  allowDataOverflow
                />
                <YAxis
                  width={48}
                  domain={yRange(sweep)}
                  allowDataOverflow
                  tickFormatter={(v: number) => v.toFixed(2)}
                />
                <Tooltip
                  formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))}
                  labelFormatter={(v) => `learning rate ${rate(Number(v))}`}
                />
                <Line dataKey="loss" name="loss" stroke="#9bb3d9" dot={false} isAnimationActive={false} />
                <Line
                  dataKey="smoothed"
                  name="loss (smoothed)"
                  stroke="#1f5fbf"
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                />
                <ReferenceLine x={sweep.current} stroke="#666" strokeDasharray="4 3" label="yours" />
                {chosen !== null && (
                  <ReferenceLine x={chosen} stroke="#1e8a44" strokeDasharray="4 3" label="fastest fall" />
                )}
              </LineChart>
            </ResponsiveContainer>
          </div>
          <p data-testid="lr-verdict">{sweepVerdict(sweep)}</p>
        </>
      )}
    </Modal>
  )
}
