import type { NetwrightApi } from '../../../shared/ipc/contract'
import type { Run } from '../store/training'

/** Train, Pause/Resume (the model and the optimizer wait as they are) and Stop. */
export function TrainButtons({
  api,
  live,
  onTrain,
}: {
  api: NetwrightApi
  live: Run | undefined
  onTrain: () => void
}) {
  const paused = live?.status.state === 'paused'
  return (
    <div className="train-buttons">
      <button className="primary" data-testid="train" onClick={onTrain} disabled={!!live}>
        Train
      </button>
      <button
        data-testid="pause"
        onClick={() =>
          live && void api.invoke(paused ? 'training.resume' : 'training.pause', { runId: live.id })
        }
        disabled={!live || live.status.state === 'starting'}
        title={paused ? 'Go on training from where it paused' : 'Pause after the batch in flight'}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button
        data-testid="stop"
        onClick={() => live && void api.invoke('training.stop', { runId: live.id })}
        disabled={!live}
      >
        Stop
      </button>
    </div>
  )
}
