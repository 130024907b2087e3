// What a killed save, export or download leaves behind: files and folders under temporary names
// (see tempName in files.ts), which are removed the next time Netwright looks at that folder. A name
// carries its writer's process id, so a save still in progress in another Netwright is left alone.
import { readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** `.model.json.1234.1733050000000.k3x9ab.tmp`: the hidden name, target, pid, time, random part, kind. */
const TEMP = /^\.(.+)\.(\d{1,10})\.(\d{10,16})\.([a-z0-9]{1,12})\.(tmp|old|download)$/

/** After this long a temporary file is litter even if its process id is in use again. */
const STALE_MS = 24 * 60 * 60 * 1000

function alive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface SweepResult {
  removed: string[]
  /** Folders put back: a replaced folder moved aside whose replacement never arrived. */
  restored: string[]
}

/**
 * Removes the temporary files of dead writers in `dir` (and its subfolders, to `depth`). A folder
 * moved aside as `.old` while its replacement was written is put back when the replacement is missing,
 * so an interrupted swap loses nothing.
 */
export async function sweepTemps(dir: string, depth = 0, now = Date.now()): Promise<SweepResult> {
  const out: SweepResult = { removed: [], restored: [] }
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const e of entries) {
    const full = join(dir, e.name)
    const m = TEMP.exec(e.name)
    if (m) {
      const [, target, pid, time, , kind] = m
      if (alive(Number(pid)) && now - Number(time) < STALE_MS) continue
      if (kind === 'old') {
        const original = join(dir, target!)
        const missing = await stat(original).then(
          () => false,
          () => true,
        )
        if (
          missing &&
          (await rename(full, original).then(
            () => true,
            () => false,
          ))
        ) {
          out.restored.push(original)
          continue
        }
      }
      await rm(full, { recursive: true, force: true }).then(
        () => out.removed.push(full),
        () => {},
      )
    } else if (depth > 0 && e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) {
      const sub = await sweepTemps(full, depth - 1, now)
      out.removed.push(...sub.removed)
      out.restored.push(...sub.restored)
    }
  }
  return out
}
