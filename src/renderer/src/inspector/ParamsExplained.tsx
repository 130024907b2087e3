import { resolvedParams, type Analysis } from '../../../shared/graph/analyze'
import type { NetDocument, NetNode } from '../../../shared/graph/schema'
import { layerSpec } from '../../../shared/layers'
import { formulaText, paramFormula } from '../../../shared/layers/explain'

/** Where the layer's parameter count comes from: `784 × 128 + 128 = 100,480`, and what the terms are. */
export function ParamsExplained({
  doc,
  node,
  analysis,
}: {
  doc: NetDocument
  node: NetNode
  analysis: Analysis
}) {
  const spec = layerSpec(node.className)
  if (!spec) return null
  const inputs = doc.edges
    .filter((e) => e.target === node.id)
    .sort((a, b) => a.targetPort - b.targetPort)
    .map((e) => analysis.nodes[e.source]?.outputShape)
  if (inputs.some((s) => !s)) return null
  const f = paramFormula(
    node.className,
    inputs as NonNullable<(typeof inputs)[number]>[],
    resolvedParams(spec, node.params),
  )
  if (!f) return null
  return (
    <div className="params-explained" data-testid="param-formula">
      <code>{formulaText(f)}</code>
      <span className="hint">
        {f.note}
        {f.nonTrainable ? ` (${f.nonTrainable.toLocaleString('en-US')} non-trainable)` : ''}.
      </span>
    </div>
  )
}
