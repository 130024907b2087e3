// The training panel's Backend choice: Automatic (the ladder's), or any rung the host reports available.
import type { BackendName } from '../../../shared/graph/schema'
import type { SystemInfo } from '../../../shared/ipc/contract'
import { SelectField } from '../inspector/Field'

export function BackendField({
  info,
  backend,
  onChange,
}: {
  info: SystemInfo | null
  backend: BackendName | null
  onChange: (backend: BackendName | null) => void
}) {
  return (
    <SelectField<BackendName | ''>
      label="Backend"
      testId="backend"
      wide
      value={backend ?? ''}
      options={[
        { value: '', label: `Automatic${info?.chosenBackend ? ` (${info.chosenBackend})` : ''}` },
        ...(info?.backends ?? [])
          .filter((b) => b.available || b.name === backend)
          .map((b) => ({ value: b.name, label: b.available ? b.name : `${b.name} (not available)` })),
      ]}
      onChange={(v) => onChange(v || null)}
      help={backendHelp(info, backend)}
    />
  )
}

/** What the chosen backend runs on, in the words of its report. */
function backendHelp(info: SystemInfo | null, backend: BackendName | null): string {
  if (!backend) return 'The fastest backend here, as the ladder finds it.'
  const detail = info?.backends.find((b) => b.name === backend)?.detail
  if (!detail) return 'Not reported by this host.'
  return detail.startsWith('not needed') ? 'Available here; slower than the one the ladder takes.' : detail
}
