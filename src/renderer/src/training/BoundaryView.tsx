import { useEffect, useRef } from 'react'
import type { DatasetPreview } from '../../../shared/ipc/contract'
import type { Run } from '../store/training'

// The class colours of the dataset preview's scatter, so the points and the regions match.
const COLORS: [number, number, number][] = [
  [37, 99, 235],
  [220, 38, 38],
  [22, 163, 74],
  [147, 51, 234],
  [234, 88, 12],
  [8, 145, 178],
]
const PX = 200

/**
 * The model's decision over the plane of its two input features, redrawn at every epoch's end: each
 * region in its class's colour, paler where the model is unsure, with the data's points on top (as
 * TensorFlow Playground draws it).
 */
export function BoundaryView({ run, points }: { run: Run | undefined; points?: DatasetPreview['points'] }) {
  const b = run?.boundary
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const ctx = ref.current?.getContext('2d')
    if (!b || !ctx) return
    const img = ctx.createImageData(b.size, b.size)
    for (let i = 0; i < b.size * b.size; i++) {
      const [r, g, bl] = COLORS[b.classes[i]! % COLORS.length]!
      // Sure (1) is the class colour at 55 %; a coin toss (0.5 for two classes) is near white.
      const a = 0.12 + 0.43 * Math.max(0, (b.confidence[i]! - 0.5) / 0.5)
      img.data.set([255 - (255 - r) * a, 255 - (255 - g) * a, 255 - (255 - bl) * a, 255], i * 4)
    }
    const cells = document.createElement('canvas')
    cells.width = cells.height = b.size
    cells.getContext('2d')!.putImageData(img, 0, 0)
    ctx.imageSmoothingEnabled = true
    ctx.clearRect(0, 0, PX, PX)
    ctx.drawImage(cells, 0, 0, PX, PX)
    for (const p of points ?? []) {
      const x = ((p.x - b.x[0]) / (b.x[1] - b.x[0])) * PX
      const y = ((b.y[1] - p.y) / (b.y[1] - b.y[0])) * PX
      const [r, g, bl] = COLORS[p.label % COLORS.length]!
      ctx.beginPath()
      ctx.arc(x, y, 2.4, 0, 2 * Math.PI)
      ctx.fillStyle = `rgb(${r},${g},${bl})`
      ctx.fill()
      ctx.strokeStyle = 'white'
      ctx.lineWidth = 0.8
      ctx.stroke()
    }
  }, [b, points])
  if (!b) return null
  // A short digest of the picture, so a test (or a curious user in devtools) sees it change.
  let digest = 0
  for (let i = 0; i < b.classes.length; i++)
    digest = (digest * 31 + b.classes[i]! * 7 + Math.round(b.confidence[i]! * 10)) | 0
  return (
    <figure className="boundary" data-testid="decision-boundary" data-epoch={b.epoch} data-digest={digest}>
      <figcaption>Decision boundary, epoch {b.epoch}</figcaption>
      <canvas
        ref={ref}
        width={PX}
        height={PX}
        role="img"
        aria-label={`What the model predicts over the plane of its two inputs, after epoch ${b.epoch}`}
      />
      <p className="hint">
        Each region in the colour of the class the model predicts there; paler where it is unsure.
      </p>
    </figure>
  )
}
