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

const bytes = (params: number): string => {
  const b = params * 4
  if (b < 1024) return `${b.toFixed(2)} Byte`
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(2)} KB`
  return `${(b / 1024 ** 2).toFixed(2)} MB`
}

const pad = (s: string, n: number): string => (s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length))

/** Text that reads like Keras's `model.summary()`. */
export function formatSummary(doc: NetDocument, a: Analysis, modelName = doc.name): string {
  const rows = summaryRows(doc, a)
  const functional = doc.style === 'functional'
  const widths = functional ? [29, 26, 10, 30] : [29, 26, 10]
  const line = (cols: string[]) =>
    ' ' +
    cols
      .map((c, i) => pad(c, widths[i]!))
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
    out.push(
      line([
        `${r.name} (${r.className})`,
        r.outputShape,
        String(r.params),
        ...(functional ? [r.connectedTo.map((c) => `${c}[0][0]`).join(', ')] : []),
      ]),
    )
    if (i < rows.length - 1) out.push(functional ? '_'.repeat(width) : '')
  })
  out.push(
    '='.repeat(width),
    `Total params: ${a.totalParams} (${bytes(a.totalParams)})`,
    `Trainable params: ${a.trainableParams} (${bytes(a.trainableParams)})`,
    `Non-trainable params: ${a.nonTrainableParams} (${bytes(a.nonTrainableParams)})`,
    '_'.repeat(width),
  )
  return out.join('\n')
}
