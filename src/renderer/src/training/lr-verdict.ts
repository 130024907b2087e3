// What the learning-rate test says, in words and in the chart's range (LearningRateDialog).
import type { LearningRateSweep } from '../../../shared/ipc/contract'

/** A rate as the dialog writes it: 1.3e−2. */
export const rate = (lr: number) => lr.toExponential(1).replace('e-', 'e−')

/** The loss axis: from a little under the lowest loss to a little over the start, so a blow-up does not flatten the rest. */
export function yRange(s: LearningRateSweep): [number, number] {
  const ys = s.points.map((p) => p.smoothed).filter(Number.isFinite)
  const lo = Math.min(...ys)
  const start = s.points[0]?.smoothed ?? lo
  const hi = Math.max(start * 1.25, lo + 1e-3)
  return [Math.max(0, Number((lo * 0.8).toFixed(3))), Number(hi.toFixed(3))]
}

/** What the test says about the project's rate, in a sentence. */
export function sweepVerdict(s: LearningRateSweep): string {
  const parts: string[] = []
  const lowest = Math.min(...s.points.map((p) => p.smoothed))
  // The loss before anything is learnt: the median of the first batches (one batch is noise).
  const head = s.points
    .slice(0, Math.max(3, Math.round(s.points.length * 0.15)))
    .map((p) => p.smoothed)
    .sort((a, b) => a - b)
  const plateau = head[Math.floor(head.length / 2)] ?? lowest
  // Where a tenth of the whole fall has happened: below that, a batch's step barely moves the loss.
  const starts = s.points.find((p) => p.smoothed < plateau - 0.1 * (plateau - lowest))
  if (s.suggestion === null) parts.push('The loss never fell over the rates tried.')
  else {
    if (starts) parts.push(`Below about ${rate(starts.lr)} the steps are too small to learn much in a batch.`)
    parts.push(`The loss falls fastest around ${rate(s.suggestion)}.`)
  }
  if (s.divergedAt !== null) parts.push(`From about ${rate(s.divergedAt)} it blows up: too large a step.`)
  const yours = `Yours is ${rate(s.current)}`
  const ratio = s.suggestion === null ? 1 : s.current / s.suggestion
  if (s.divergedAt !== null && s.current >= s.divergedAt / 2)
    parts.push(`${yours}: at the edge of where it blows up; lower it.`)
  else if (s.suggestion === null) parts.push(`${yours}.`)
  else if (ratio > 3) parts.push(`${yours}, above the fastest fall: a quicker but noisier start.`)
  else if (ratio < 1 / 3)
    parts.push(`${yours}, ${Math.round(1 / ratio)}× below the fastest fall: a slower, steadier start.`)
  else parts.push(`${yours}: near the fastest fall.`)
  return parts.join(' ')
}
