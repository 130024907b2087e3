import { Handle, Position, type Node, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import { formatShape } from '../../../shared/layers'
import type { FoldNodeData } from './folds'

export type FoldFlowNode = Node<FoldNodeData, 'fold'>

/** A folded block of repeated layers: what one repetition is, how many times, and Unfold. */
function FoldNodeView({ id, data }: NodeProps<FoldFlowNode>) {
  const right = data.direction === 'right'
  return (
    <div className="layer-node fold-node" data-testid={`fold-${id.slice('fold:'.length)}`}>
      <Handle type="target" position={right ? Position.Left : Position.Top} />
      <div className="layer-head">
        <span className="layer-name">
          {data.unit.length} layers ×{data.times}
        </span>
        <button
          className="link nodrag nopan"
          data-testid="unfold"
          onClick={data.onUnfold}
          title="Show these layers again"
        >
          Unfold
        </button>
      </div>
      <div className="layer-gist" title={data.unit.join(' → ')}>
        {data.unit.join(' → ')}
      </div>
      <div className="layer-meta">
        <span className="layer-shape">{data.outputShape ? formatShape(data.outputShape) : '—'}</span>
        <span className="layer-params">
          {data.layers} layers · {data.params.toLocaleString('en-US')} params
        </span>
      </div>
      <Handle type="source" position={right ? Position.Right : Position.Bottom} />
    </div>
  )
}

export const FoldNode = memo(FoldNodeView)
