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
}
