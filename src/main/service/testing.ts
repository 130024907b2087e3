// Helpers for the service's tests.
import type { NetDocument } from '../../shared/graph/schema'
import type { Events, TrainingStatus } from '../../shared/ipc/contract'
import { shapesDoc } from '../../shared/testing'
import type { Service } from './index'

/** Resolves with the first status of this run that ends it. */
export function ended(s: Service, runId: () => string): Promise<TrainingStatus> {
  return new Promise((resolve) => {
    const off = s.subscribe((event, payload) => {
      const st = payload as Events['training.status']
      if (
        event === 'training.status' &&
        st.runId === runId() &&
        ['done', 'stopped', 'failed'].includes(st.state)
      ) {
        off()
        resolve(st)
      }
    })
  })
}

/** The default project on 150 generated shapes, one epoch: a run of about a second. */
export function small(): NetDocument {
  const d = shapesDoc()
  d.dataset.options = { count: 150 }
  d.training.epochs = 1
  return d
}
