import { useState } from 'react'
import {
  ACTIVATION_CURVES,
  slope,
  TEACHING_CURVES,
  type ActivationCurve,
  type ActivationName,
} from '../../../shared/layers/activation-curves'

const curveOf = (name: string): ActivationCurve | undefined =>
  (ACTIVATION_CURVES as Record<string, ActivationCurve>)[name] ??
  (TEACHING_CURVES as Record<string, ActivationCurve>)[name]

const W = 240
const H = 120
const X0 = -4
const X1 = 4

/**
 * The activation's curve (solid) and its derivative (dashed) over −4…4, with the decks' formula; and,
 * when chosen, another to compare it with (the perceptron's step, or any activation), in grey.
 */
export function ActivationPlot({ name }: { name: string }) {
  const [compare, setCompare] = useState('')
  const curve = ACTIVATION_CURVES[name as ActivationName]
  if (!curve) return null
  const other = compare && compare !== name ? curveOf(compare) : undefined
  const xs = Array.from({ length: 121 }, (_, i) => X0 + ((X1 - X0) * i) / 120)
  const ys = xs.map(curve.f)
  const os = other ? xs.map(other.f) : []
  const ds = xs.map((x) => slope(curve.f, x))
  const lo = Math.max(-2, Math.min(-0.25, ...ys, ...ds, ...os))
  const hi = Math.min(4.5, Math.max(1.25, ...ys, ...ds, ...os))
  const px = (x: number) => ((x - X0) / (X1 - X0)) * W
  const py = (y: number) => H - ((Math.min(hi, Math.max(lo, y)) - lo) / (hi - lo)) * H
  const path = (vs: number[]) =>
    vs.map((v, i) => `${i ? 'L' : 'M'}${px(xs[i]!).toFixed(1)},${py(v).toFixed(1)}`).join('')
  return (
    <figure className="activation-plot" data-testid="activation-plot">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label={`${name} and its derivative`}
      >
        <line x1={0} x2={W} y1={py(0)} y2={py(0)} className="axis" />
        <line x1={px(0)} x2={px(0)} y1={0} y2={H} className="axis" />
        <path d={path(ds)} className="derivative" data-testid="activation-derivative" />
        {other && <path d={path(os)} className="compare" data-testid="activation-compare-curve" />}
        <path d={path(ys)} className="curve" data-testid="activation-curve" />
        <text x={W - 4} y={py(0) - 4} textAnchor="end" className="tick">
          x
        </text>
        <text x={px(0) + 4} y={10} className="tick">
          {hi.toFixed(1)}
        </text>
      </svg>
      <figcaption>
        <code>{curve.formula}</code>
        <span className="legend">
          <span className="curve-key">— f(x)</span> <span className="derivative-key">- - f′(x)</span>
        </span>
        <span className="hint">{curve.note}</span>
        <label className="compare-choice">
          Compare with{' '}
          <select
            data-testid="activation-compare"
            value={compare}
            onChange={(e) => setCompare(e.target.value)}
          >
            <option value="">nothing</option>
            <option value="step">step (the perceptron's)</option>
            {Object.keys(ACTIVATION_CURVES)
              .filter((a) => a !== name)
              .map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
          </select>
        </label>
        {other && (
          <span className="hint" data-testid="activation-compare-note">
            <code>{other.formula}</code> {other.note}
          </span>
        )}
      </figcaption>
    </figure>
  )
}
