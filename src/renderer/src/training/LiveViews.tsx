import { memo, useEffect, useRef, useState } from 'react'
import type { DatasetPreview } from '../../../shared/ipc/contract'
import type { Run } from '../store/training'
import { BoundaryView } from './BoundaryView'
import { MetricChart } from './Charts'
import { GradientsChart } from './GradientsChart'
import { LiveConfusion } from './LiveConfusion'

/**
 * What a run shows while it trains and after: the loss and accuracy curves, the validation confusion
 * matrix, the decision boundary (two input features), and each layer's gradient size.
 * `preview` is the run's dataset's preview, when it is the document's dataset.
 */
export function LiveViews({ run, preview }: { run: Run | undefined; preview?: DatasetPreview | null }) {
  return <Views run={useThrottled(run, REDRAW_MS)} preview={preview} />
}

/**
 * The charts are redrawn at most every REDRAW_MS (the last state always shows): a small model trains
 * many epochs a second, and redrawing Recharts for each of them kept the page too busy to answer a
 * click on Stop.
 */
const REDRAW_MS = 400

function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value)
  const last = useRef(0)
  useEffect(() => {
    const wait = last.current + ms - performance.now()
    const show = () => {
      last.current = performance.now()
      setShown(value)
    }
    if (wait <= 0) return show()
    const t = setTimeout(show, wait)
    return () => clearTimeout(t)
  }, [value, ms])
  return shown
}

const Views = memo(function Views({
  run,
  preview,
}: {
  run: Run | undefined
  preview?: DatasetPreview | null
}) {
  return (
    <>
      <div className="charts-row">
        <div className="charts">
          <MetricChart metric="loss" points={run?.points ?? []} />
          <MetricChart metric="accuracy" points={run?.points ?? []} />
        </div>
        <div className="live-views">
          <BoundaryView run={run} points={preview?.points} />
          <LiveConfusion run={run} classes={preview?.classes ?? []} />
        </div>
      </div>
      <GradientsChart run={run} />
    </>
  )
})
