import { useState } from 'react'
import type { Shape } from '../../../shared/layers'
import { windowStep } from '../../../shared/layers/conv-math'

const CELL = 16

/**
 * How the window slides, drawn on the decks' 6 × 6 example with this layer's kernel, stride and
 * padding: the zeros padding adds, the window's first place and its next one, and the output size;
 * then the same arithmetic on the layer's own input.
 */
export function ConvolutionView({
  kernel,
  strides,
  padding,
  input,
  what,
}: {
  kernel: number[]
  strides: number[]
  padding: 'valid' | 'same'
  /** The layer's input shape, (None, h, w, c) or (None, steps, c). */
  input?: Shape
  what: 'convolution' | 'pooling'
}) {
  const [place, setPlace] = useState(0)
  const k = kernel[0]!
  const s = strides[0]!
  const demo = windowStep(6, k, s, padding)
  const [before, after] = demo.pad
  const side = 6 + before + after
  const places = demo.output
  const at = Math.min(place, Math.max(0, places * places - 1))
  const row = Math.floor(at / Math.max(1, places))
  const col = at % Math.max(1, places)
  const dims = (input ?? []).slice(1, -1)
  const own = dims.map((d, i) =>
    typeof d === 'number' ? windowStep(d, kernel[i] ?? k, strides[i] ?? s, padding) : null,
  )
  return (
    <figure className="conv-view" data-testid="conv-view">
      <svg
        viewBox={`0 0 ${side * CELL + 2} ${side * CELL + 2}`}
        width={side * CELL + 2}
        height={side * CELL + 2}
        role="img"
        aria-label={`A ${k}×${k} window with stride ${s} and ${padding} padding on a 6×6 input`}
      >
        {Array.from({ length: side * side }, (_, i) => {
          const r = Math.floor(i / side)
          const c = i % side
          const padded = r < before || c < before || r >= before + 6 || c >= before + 6
          return (
            <rect
              key={i}
              x={1 + c * CELL}
              y={1 + r * CELL}
              width={CELL}
              height={CELL}
              className={padded ? 'pad' : 'cell'}
            />
          )
        })}
        {places > 0 && (
          <rect
            x={1 + col * s * CELL}
            y={1 + row * s * CELL}
            width={k * CELL}
            height={k * CELL}
            className="window"
            data-testid="conv-window"
          />
        )}
      </svg>
      <figcaption>
        <span>
          A {k}×{k} {what === 'pooling' ? 'pool' : 'kernel'}, stride {s}, padding {padding}
          {padding === 'same' && before + after > 0
            ? ` (${before + after} zero${before + after === 1 ? '' : 's'} added per axis)`
            : ''}
          : on the decks&apos; 6×6 input it fits{' '}
          <b data-testid="conv-demo-output">
            {places}×{places}
          </b>{' '}
          places.
        </span>
        {places > 1 && (
          <button
            className="link-plain"
            data-testid="conv-next"
            onClick={() => setPlace((p) => (p + 1) % (places * places))}
          >
            Slide the window (place {at + 1} of {places * places})
          </button>
        )}
        {own.some(Boolean) && (
          <span data-testid="conv-own">
            On this layer&apos;s input:{' '}
            {own
              .map((o, i) => (o ? <code key={i}>{o.sum}</code> : null))
              .reduce<React.ReactNode[]>((acc, el, i) => (i ? [...acc, ' by ', el] : [el]), [])}
          </span>
        )}
      </figcaption>
    </figure>
  )
}
