// Pause and resume for a run: while paused, the trainer waits after the batch in flight, with the
// model and the optimizer's state as they are; Resume (or Stop) lets it go on.
export interface PauseControl {
  /** Returns whether this paused a running trainer (false if it was paused already). */
  pause(): boolean
  /** Returns whether this resumed a paused trainer. */
  resume(): boolean
  /** What the trainer waits on between batches while paused (undefined when not paused). */
  waiting(): Promise<void> | undefined
}

export function pauseControl(): PauseControl {
  let held: { promise: Promise<void>; release: () => void } | undefined
  return {
    pause() {
      if (held) return false
      let release = () => {}
      const promise = new Promise<void>((r) => (release = r))
      held = { promise, release }
      return true
    },
    resume() {
      if (!held) return false
      held.release()
      held = undefined
      return true
    },
    waiting: () => held?.promise,
  }
}
