import { resolvedParams, type Analysis } from '../../../shared/graph/analyze'
import type { NetDocument, NetNode } from '../../../shared/graph/schema'
import { layerSpec } from '../../../shared/layers'
import { formulaText, paramFormula } from '../../../shared/layers/explain'
import { ConvolutionView } from './ConvolutionView'

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

/** For a convolution or a pooling layer: how its window slides and what size comes out. */
export function WindowView({ doc, node, analysis }: { doc: NetDocument; node: NetNode; analysis: Analysis }) {
  const spec = layerSpec(node.className)
  if (!spec) return null
  const p = resolvedParams(spec, node.params)
  const pooling = /Pooling[12]D$/.test(node.className) && !node.className.startsWith('Global')
  const kernel = (pooling ? p.pool_size : p.kernel_size) as number[] | undefined
  if (
    !kernel ||
    !/^(Conv[12]D|Conv2DTranspose|SeparableConv2D|DepthwiseConv2D|(Max|Average)Pooling[12]D)$/.test(
      node.className,
    )
  )
    return null
  if (node.className === 'Conv2DTranspose') return null
  const strides = ((p.strides as number[] | null) ?? kernel) as number[]
  const edge = doc.edges.find((e) => e.target === node.id)
  return (
    <ConvolutionView
      kernel={kernel}
      strides={strides}
      padding={p.padding === 'same' ? 'same' : 'valid'}
      input={edge ? analysis.nodes[edge.source]?.outputShape : undefined}
      what={pooling ? 'pooling' : 'convolution'}
    />
  )
}
