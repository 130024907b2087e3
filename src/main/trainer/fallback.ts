import type { BackendReport } from '../../shared/ipc/contract'
import { useCpu, type ChosenBackend, type Tf } from './backends'

const MISSING_KERNEL = /Kernel '(\w+)' not registered for backend 'wasm'/

/**
 * Runs `work` on the chosen backend. tfjs-backend-wasm lacks some kernels; when the ladder chose wasm
 * by itself (the user did not force it) and the model needs one, the work runs again on cpu, and
 * `onSwitch` gets the report that says why.
 */
export async function withWasmFallback<T>(
  chosen: ChosenBackend,
  forced: boolean,
  work: (tf: Tf) => Promise<T>,
  onSwitch: (reports: BackendReport[]) => void,
): Promise<T> {
  try {
    return await work(chosen.tf)
  } catch (err) {
    const missing = MISSING_KERNEL.exec(String((err as Error)?.message ?? err))
    if (!missing || forced || chosen.name !== 'wasm') throw err
    await useCpu(chosen.tf)
    const why = `lacks the ${missing[1]} kernel this model needs to train`
    onSwitch(
      chosen.reports.map((r) =>
        r.name === 'wasm'
          ? { ...r, available: false, detail: why }
          : r.name === 'cpu'
            ? { ...r, detail: 'pure JavaScript on the CPU (slowest)' }
            : r,
      ),
    )
    return work(chosen.tf)
  }
}
