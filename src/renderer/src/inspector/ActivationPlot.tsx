import { ACTIVATION_CURVES, slope, type ActivationName } from '../../../shared/layers/activation-curves'

const W = 240
const H = 120
const X0 = -4
const X1 = 4

/** The activation's curve (solid) and its derivative (dashed) over −4…4, with the decks' formula. */
export function ActivationPlot({ name }: { name: string }) {
  const curve = ACTIVATION_CURVES[name as ActivationName]
  if (!curve) return null
  const xs = Array.from({ length: 121 }, (_, i) => X0 + ((X1 - X0) * i) / 120)
  const ys = xs.map(curve.f)
  const ds = xs.map((x) => slope(curve.f, x))
  const lo = Math.max(-2, Math.min(-0.25, ...ys, ...ds))
  const hi = Math.min(4.5, Math.max(1.25, ...ys, ...ds))
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
      </figcaption>
    </figure>
  )
}
