import { z } from 'zod'
// A model evaluated on a dataset's test split: loss and metrics as Keras's evaluate gives them, and
// what a learner needs to see what the model gets wrong — for classification the confusion matrix
// and per-class precision, recall and F1, for regression the errors — with every test row's true and
// predicted value (so the app can show the samples behind a cell). Pure: the trainer, the Keras
// rung, the CLI and the UI all use these functions.

export interface ClassMetrics {
  precision: number
  recall: number
  f1: number
  /** Test samples of this class. */
  support: number
}

export interface Evaluation {
  split: 'test' | 'validation'
  /** Rows evaluated. */
  count: number
  task: 'classification' | 'regression'
  /** The output the matrix and the rows are of (the first, with several). */
  output: string
  /** Keras's names: loss, accuracy for classification; loss, mae, mse for regression (and per output). */
  metrics: Record<string, number>
  classes: string[]
  /** confusion[true][predicted]: how many test samples of each class went to each class. */
  confusion?: number[][]
  perClass?: ClassMetrics[]
  /** Each test row's true class (or value), in the split's order; at most ROWS_KEPT of them. */
  actual: number[]
  /** Each row's predicted class (or value). */
  predicted: number[]
  /** Each row's predicted probability of every class, row-major, 3 decimals (up to 20 classes). */
  probs?: number[]
}

/** The rows kept with an evaluation (the matrix and the metrics count every row). */
export const ROWS_KEPT = 10_000
const PROBS_UP_TO_CLASSES = 20

const round = (v: number, places: number) => {
  const f = 10 ** places
  return Math.round(v * f) / f
}

/**
 * A classification output's evaluation from its predictions: `outputs` is the model's output per
 * row, row-major with `width` values each (one sigmoid value for a binary output, else a value per
 * class); the predicted class is the largest (or the sigmoid above 0.5), as Keras's accuracy decides.
 */
export function classificationEvaluation(
  actual: ArrayLike<number>,
  outputs: ArrayLike<number>,
  width: number,
  classes: string[],
  metrics: Record<string, number>,
  output: string,
  split: Evaluation['split'] = 'test',
): Evaluation {
  const n = actual.length
  const k = Math.max(classes.length, width === 1 ? 2 : width)
  const names = classes.length >= k ? classes : Array.from({ length: k }, (_, i) => classes[i] ?? String(i))
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  const predicted: number[] = []
  const keepProbs = k <= PROBS_UP_TO_CLASSES
  const probs: number[] = []
  let correct = 0
  for (let i = 0; i < n; i++) {
    let best = 0
    if (width === 1) best = outputs[i]! > 0.5 ? 1 : 0
    else for (let c = 1; c < width; c++) if (outputs[i * width + c]! > outputs[i * width + best]!) best = c
    const t = actual[i]!
    if (t >= 0 && t < k) confusion[t]![best]!++
    if (t === best) correct++
    if (i < ROWS_KEPT) {
      predicted.push(best)
      if (keepProbs)
        if (width === 1) probs.push(round(1 - outputs[i]!, 3), round(outputs[i]!, 3))
        else for (let c = 0; c < width; c++) probs.push(round(outputs[i * width + c]!, 3))
    }
  }
  const perClass = names.map((_, c) => {
    const tp = confusion[c]![c]!
    const support = confusion[c]!.reduce((a, b) => a + b, 0)
    const predictedAs = confusion.reduce((a, row) => a + row[c]!, 0)
    const precision = predictedAs ? tp / predictedAs : 0
    const recall = support ? tp / support : 0
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0
    return { precision, recall, f1, support }
  })
  return {
    split,
    count: n,
    task: 'classification',
    output,
    metrics: { ...metrics, accuracy: n ? correct / n : 0 },
    classes: names,
    confusion,
    perClass,
    actual: Array.from({ length: Math.min(n, ROWS_KEPT) }, (_, i) => actual[i]!),
    predicted,
    ...(keepProbs ? { probs } : {}),
  }
}

/** A regression output's evaluation: MAE and MSE over every row, with the rows' values. */
export function regressionEvaluation(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  metrics: Record<string, number>,
  output: string,
  split: Evaluation['split'] = 'test',
): Evaluation {
  const n = actual.length
  let abs = 0
  let sq = 0
  for (let i = 0; i < n; i++) {
    const e = predicted[i]! - actual[i]!
    abs += Math.abs(e)
    sq += e * e
  }
  const keep = Math.min(n, ROWS_KEPT)
  return {
    split,
    count: n,
    task: 'regression',
    output,
    metrics: { ...metrics, mae: n ? abs / n : 0, mse: n ? sq / n : 0 },
    classes: [],
    actual: Array.from({ length: keep }, (_, i) => round(actual[i]!, 6)),
    predicted: Array.from({ length: keep }, (_, i) => round(predicted[i]!, 6)),
  }
}

/** The rows of one confusion-matrix cell (true class t, predicted p), among the rows kept. */
export function cellRows(e: Evaluation, t: number, p: number): number[] {
  const out: number[] = []
  e.actual.forEach((a, i) => a === t && e.predicted[i] === p && out.push(i))
  return out
}

/**
 * Rows to show as sample predictions: the wrong ones first (most confident first), then right ones;
 * for regression the largest errors first.
 */
export function rowsWorstFirst(e: Evaluation, limit = 24): number[] {
  const idx = e.actual.map((_, i) => i)
  const k = e.classes.length
  const confidence = (i: number) => (e.probs ? e.probs[i * k + e.predicted[i]!]! : 0)
  const score = (i: number) =>
    e.task === 'regression'
      ? Math.abs(e.predicted[i]! - e.actual[i]!)
      : (e.predicted[i] !== e.actual[i] ? 2 : 0) + confidence(i)
  return idx.sort((a, b) => score(b) - score(a) || a - b).slice(0, limit)
}

const pad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s)

/** The evaluation as text, Keras-like (the CLI's train and evaluate print it). */
export function evaluationText(e: Evaluation): string {
  const lines = [
    `Evaluated on ${e.count.toLocaleString('en-US')} ${e.split} samples - ${Object.entries(e.metrics)
      .map(([k, v]) => `${k}: ${v.toFixed(4)}`)
      .join(' - ')}`,
  ]
  if (e.confusion && e.perClass) {
    const names = e.classes.map((c) => (c.length > 14 ? `${c.slice(0, 13)}…` : c))
    const w = Math.max(6, ...names.map((n) => n.length), ...e.confusion.flat().map((v) => String(v).length))
    lines.push('', 'Confusion matrix (rows: true class, columns: predicted):')
    lines.push(`${pad('', w)}  ${names.map((n) => pad(n, w)).join(' ')}`)
    e.confusion.forEach((row, t) =>
      lines.push(`${pad(names[t]!, w)}  ${row.map((v) => pad(String(v), w)).join(' ')}`),
    )
    lines.push('', `${pad('', w)}  precision    recall  f1-score   support`)
    e.perClass.forEach((m, c) =>
      lines.push(
        `${pad(names[c]!, w)}  ${pad(m.precision.toFixed(4), 9)} ${pad(m.recall.toFixed(4), 9)} ${pad(m.f1.toFixed(4), 9)} ${pad(String(m.support), 9)}`,
      ),
    )
  }
  return lines.join('\n')
}

const finite = z.number().finite()
/** An evaluation read back from a run.json (written by Netwright, but a file anyone may have edited). */
export const EvaluationSchema = z.object({
  split: z.enum(['test', 'validation']),
  count: z.number().int().nonnegative(),
  task: z.enum(['classification', 'regression']),
  output: z.string().max(500),
  metrics: z.record(z.string().max(200), z.number()),
  classes: z.array(z.string().max(500)).max(10_000),
  confusion: z.array(z.array(z.number().int().nonnegative()).max(10_000)).max(10_000).optional(),
  perClass: z
    .array(z.object({ precision: finite, recall: finite, f1: finite, support: z.number().int() }))
    .max(10_000)
    .optional(),
  actual: z.array(finite).max(ROWS_KEPT),
  predicted: z.array(finite).max(ROWS_KEPT),
  probs: z
    .array(finite)
    .max(ROWS_KEPT * PROBS_UP_TO_CLASSES)
    .optional(),
}) satisfies z.ZodType<Evaluation>
