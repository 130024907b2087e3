import { incomingEdges, type Analysis } from '../graph/analyze'
import type { NetDocument } from '../graph/schema'
import { formatShape } from '../layers'

export interface SummaryRow {
  name: string
  className: string
  outputShape: string
  params: number
  connectedTo: string[]
}

/** The rows of a Keras-style summary, in the order the model runs its layers. */
export function summaryRows(doc: NetDocument, a: Analysis): SummaryRow[] {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const incoming = incomingEdges(doc)
  return a.order
    .filter((id) => doc.style === 'functional' || byId.get(id)!.className !== 'InputLayer')
    .map((id) => {
      const n = byId.get(id)!
      const shape = a.nodes[id]?.outputShape
      return {
        name: n.name,
        className: n.className,
        outputShape: shape ? formatShape(shape) : '?',
        params: a.nodes[id]?.params ?? 0,
        connectedTo: (incoming.get(id) ?? []).map((e) => byId.get(e.source)?.name ?? '?'),
      }
    })
}

/** The weights' size at float32, as Keras 3 prints it: 0.00 B, 394.01 KB, 1.53 MB. */
const bytes = (params: number): string => {
  const b = params * 4
  if (b < 1024) return `${b.toFixed(2)} B`
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(2)} KB`
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(2)} MB`
  return `${(b / 1024 ** 3).toFixed(2)} GB`
}

const count = (n: number) => n.toLocaleString('en-US')

const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(1, n - s.length))

/** A cell too long for its column: cut to fit with an ellipsis, as Keras 3 cuts a long layer name. */
const fit = (s: string, n: number): string => (s.length < n ? s : `${s.slice(0, n - 2)}…`)

/** Text that reads like Keras's `model.summary()`. */
export function formatSummary(doc: NetDocument, a: Analysis, modelName = doc.name): string {
  const rows = summaryRows(doc, a)
  const functional = doc.style === 'functional'
  const widths = functional ? [29, 26, 10, 30] : [29, 26, 10]
  const line = (cols: string[]) =>
    ' ' +
    cols
      // The last column (Connected to) runs on; the others are cut to their width.
      .map((c, i) => (i === widths.length - 1 ? `${c} ` : pad(fit(c, widths[i]!), widths[i]!)))
      .join('')
      .trimEnd()
  const width = widths.reduce((x, y) => x + y, 0) + 1
  const out = [
    `Model: "${modelName}"`,
    '_'.repeat(width),
    line(['Layer (type)', 'Output Shape', 'Param #', ...(functional ? ['Connected to'] : [])]),
    '='.repeat(width),
  ]
  rows.forEach((r, i) => {
    const layer = `${r.name} (${r.className})`
    // Keras 3 puts the type on a line of its own when the name and type do not fit together.
    const long = layer.length >= widths[0]!
    out.push(
      line([
        long ? r.name : layer,
        r.outputShape,
        count(r.params),
        ...(functional ? [r.connectedTo.map((c) => `${c}[0][0]`).join(', ')] : []),
      ]),
    )
    if (long) out.push(line([`(${r.className})`]))
    if (i < rows.length - 1) out.push(functional ? '_'.repeat(width) : '')
  })
  out.push(
    '='.repeat(width),
    `Total params: ${count(a.totalParams)} (${bytes(a.totalParams)})`,
    `Trainable params: ${count(a.trainableParams)} (${bytes(a.trainableParams)})`,
    `Non-trainable params: ${count(a.nonTrainableParams)} (${bytes(a.nonTrainableParams)})`,
    '_'.repeat(width),
  )
  return out.join('\n')
}
