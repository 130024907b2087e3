import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { ProjectEntry } from '../../shared/ipc/contract'
import { ServiceError } from './errors'

/** Where a host may read and write project files. */
export interface ProjectFiles {
  list(): Promise<ProjectEntry[]>
  /** Resolves a path the UI gave into a real path, or refuses it. */
  resolve(path: string): string
  /** Resolves a folder to export into ('' or '.' is the workspace itself in the browser host). */
  folder(path: string): string
}

export const PROJECT_EXT = '.netwright.json'

/** The browser host: every path is relative to one workspace folder, and must stay inside it. */
export function workspaceFiles(root: string): ProjectFiles {
  const base = resolve(root)
  return {
    folder(path) {
      if (path === '' || path === '.' || path === './') return base
      return this.resolve(path)
    },
    resolve(path) {
      if (isAbsolute(path) || path.includes('\0'))
        throw new ServiceError(
          'forbidden',
          `"${path}" is not a path inside the workspace. Use a name such as my-model${PROJECT_EXT}.`,
        )
      const full = resolve(base, path)
      const rel = relative(base, full)
      if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..'))
        throw new ServiceError('forbidden', `"${path}" is outside the workspace folder ${base}.`)
      return full
    },
    async list() {
      const out: ProjectEntry[] = []
      const walk = async (dir: string, depth: number): Promise<void> => {
        for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
          if (e.name.startsWith('.') || e.name === 'node_modules') continue
          const full = join(dir, e.name)
          if (e.isDirectory() && depth < 3) await walk(full, depth + 1)
          else if (e.isFile() && e.name.endsWith('.json')) {
            const s = await stat(full)
            out.push({ path: relative(base, full).split(sep).join('/'), name: e.name, modified: s.mtimeMs })
          }
        }
      }
      await walk(base, 0)
      return out.sort((a, b) => b.modified - a.modified)
    },
  }
}

/**
 * Electron: the renderer may only touch files the user picked in a native dialog (or opened before
 * in this session), so a compromised page cannot read arbitrary files.
 */
export function grantedFiles(): ProjectFiles & { grant(path: string): void } {
  const granted = new Set<string>()
  return {
    grant: (path) => granted.add(resolve(path)),
    folder(path) {
      const full = resolve(path)
      if (!granted.has(full))
        throw new ServiceError('forbidden', `Netwright may only write to folders you choose: ${path}`)
      return full
    },
    resolve(path) {
      const full = resolve(path)
      if (!granted.has(full))
        throw new ServiceError('forbidden', `Netwright may only open files you choose: ${path}`)
      return full
    },
    list: async () => [...granted].map((p) => ({ path: p, name: basename(p), modified: 0 })),
  }
}

/** The CLI: the user typed the path, so any path goes. */
export function anyFiles(): ProjectFiles {
  return { resolve: (path) => resolve(path), folder: (path) => resolve(path || '.'), list: async () => [] }
}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ServiceError('not-found', `There is no file at ${path}.`)
    if (code === 'EISDIR') throw new ServiceError('bad-request', `${path} is a folder, not a project file.`)
    throw new ServiceError('internal', `Could not read ${path}: ${(e as Error).message}`)
  }
}

/** Writes to a temporary name beside the target, then renames, so a failed save never leaves half a file. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  try {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(tmp, text, 'utf8')
    await rename(tmp, path)
  } catch (e) {
    await import('node:fs/promises').then((fs) => fs.rm(tmp, { force: true }))
    throw new ServiceError('internal', `Could not save ${path}: ${(e as Error).message}`)
  }
}
