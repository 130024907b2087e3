import { Handle, Position, type Node, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import { formatShape, layerSpec, type Shape } from '../../../shared/layers'

export interface LayerNodeData extends Record<string, unknown> {
  name: string
  className: string
  outputShape?: Shape
  params: number
  errors: string[]
  /** The name of the layer this node reuses (same weights), for a second use of a shared layer. */
  sharedWith?: string
  /** Frozen (trainable: false): training keeps its weights. */
  frozen?: boolean
  /** Its settings at a glance: activation, units, kernel, stride, padding, rate. */
  gist?: string
  /** Which way the graph flows: connections in at the top and out at the bottom, or left and right. */
  direction?: 'down' | 'right'
  /** Two short lines: name and type, then shape (the settings and parameters in the tooltip). */
  compact?: boolean
}

export type LayerFlowNode = Node<LayerNodeData, 'layer'>

/** One layer on the canvas: its name and type, output shape, parameter count and any problem. */
function LayerNodeView({ data, selected }: NodeProps<LayerFlowNode>) {
  const spec = layerSpec(data.className)
  const label = data.className === 'InputLayer' ? 'Input' : data.className
  const hasError = data.errors.length > 0
  const right = data.direction === 'right'
  const params = data.sharedWith
    ? `shares ${data.sharedWith}`
    : `${data.params.toLocaleString('en-US')} params`
  return (
    <div
      className={`layer-node cat-${spec?.category.split(' ')[0] ?? 'unknown'}${selected ? ' selected' : ''}${hasError ? ' has-error' : ''}${data.sharedWith ? ' shared' : ''}${data.frozen ? ' frozen' : ''}${data.compact ? ' compact' : ''}`}
      data-testid={`node-${data.name}`}
      title={data.compact ? [data.gist, params, spec?.doc].filter(Boolean).join('\n') : spec?.doc}
    >
      {spec?.inputs !== 'none' && (
        <Handle
          type="target"
          position={right ? Position.Left : Position.Top}
          data-testid={`in-${data.name}`}
        />
      )}
      <div className="layer-head">
        <span className="layer-name">{data.name}</span>
        <span className="layer-class">{label}</span>
      </div>
      {data.gist && !data.compact && (
        <div className="layer-gist" data-testid="gist">
          {data.gist}
        </div>
      )}
      <div className="layer-meta">
        <span className="layer-shape" data-testid="shape">
          {data.outputShape ? formatShape(data.outputShape) : '—'}
        </span>
        {!data.compact && (
          <span className="layer-params" data-testid="params">
            {params}
          </span>
        )}
        {data.frozen && (
          <span className="layer-frozen" data-testid="frozen" title="Frozen: training keeps its weights">
            frozen
          </span>
        )}
      </div>
      {hasError && (
        <div className="layer-error" role="alert" data-testid="node-error">
          {data.errors[0]}
        </div>
      )}
      <Handle
        type="source"
        position={right ? Position.Right : Position.Bottom}
        data-testid={`out-${data.name}`}
      />
    </div>
  )
}

export const LayerNode = memo(LayerNodeView)
