import { Panel } from '@xyflow/react'
import { useEffect, useRef, type RefObject } from 'react'
import { useDoc } from '../store/document'

type Dims = Record<string, { width: number; height: number }>

/**
 * Lays the graph out when asked (Tidy up) or when its layout changes (direction, compact), with the
 * layers as measured on the canvas — a layer showing an error is taller than the rest — and then
 * fits the view. A layout change is laid out again once the layers have been measured in their new
 * form, as part of the same undo step; an undo or redo is not (it brings the positions back as they were).
 */
export function useRelayout(dims: RefObject<Dims>, fit: () => void): void {
  const tidyRequest = useDoc((s) => s.tidyRequest)
  const layout = useDoc((s) => s.doc.layout)
  const seen = useRef({ tidyRequest, layout })
  const fitRef = useRef(fit)
  fitRef.current = fit
  useEffect(() => {
    const before = seen.current
    seen.current = { tidyRequest, layout }
    const asked = tidyRequest !== before.tidyRequest
    const changed =
      useDoc.getState().relayoutPending &&
      layout !== before.layout &&
      (layout?.direction !== before.layout?.direction || layout?.compact !== before.layout?.compact)
    if (!asked && !changed) return
    if (asked) useDoc.getState().tidy(dims.current)
    const t = setTimeout(() => {
      // After a layout change the layers have their new size: laid out again within the same step.
      if (changed) {
        useDoc.setState({ relayoutPending: false })
        useDoc.getState().tidy(dims.current, true)
      }
      setTimeout(() => fitRef.current(), 30)
    }, 80)
    return () => clearTimeout(t)
  }, [tidyRequest, layout, dims])
}

/** The canvas's corner: which way the graph flows, compact layers, and folding repeated blocks. */
export function LayoutControls({ fold }: { fold?: { on: boolean; toggle: (on: boolean) => void } }) {
  const direction = useDoc((s) => s.doc.layout?.direction ?? 'down')
  const compact = useDoc((s) => s.doc.layout?.compact ?? false)
  return (
    <Panel position="top-right" className="layout-controls">
      <label title="Which way the graph flows">
        Layout{' '}
        <select
          data-testid="layout-direction"
          value={direction}
          onChange={(e) => useDoc.getState().setLayout({ direction: e.target.value as 'down' | 'right' })}
        >
          <option value="down">Top to bottom</option>
          <option value="right">Left to right</option>
        </select>
      </label>
      <label title="Each layer on two short lines; its settings in its tooltip and the inspector">
        <input
          type="checkbox"
          data-testid="layout-compact"
          checked={compact}
          onChange={(e) => useDoc.getState().setLayout({ compact: e.target.checked })}
        />{' '}
        Compact
      </label>
      {fold && (
        <label title="Show each run of repeated blocks (Conv2D → BatchNormalization → …) as one node">
          <input
            type="checkbox"
            data-testid="layout-fold"
            checked={fold.on}
            onChange={(e) => fold.toggle(e.target.checked)}
          />{' '}
          Fold repeats
        </label>
      )}
    </Panel>
  )
}
