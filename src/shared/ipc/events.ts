// The contract's event names as a value, for the Electron preload's allow-list (type-only import:
// the preload bundle stays free of zod). Adding an event to `Events` without adding it here fails
// the typecheck.
import type { EventName } from './contract'

export const EVENT_NAMES = [
  'training.status',
  'training.metrics',
  'datasets.progress',
  'dialog.launched',
] as const satisfies readonly EventName[]

type Unlisted = Exclude<EventName, (typeof EVENT_NAMES)[number]>
export const everyEventListed: [Unlisted] extends [never] ? true : Unlisted = true
