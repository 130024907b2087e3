import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { constants, lstatSync, realpathSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { ProjectEntry } from '../../shared/ipc/contract'
import { LIMITS, readRegularText, UnreadableFile } from '../safe-fs'
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

/** Whether `child` is `root` itself or inside it (both real, absolute paths). */
const inside = (root: string, child: string): boolean => {
  const rel = relative(root, child)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * The real path a path leads to: the realpath of the path, or of its nearest existing parent with the
 * rest appended (for a file about to be created). A link whose target does not exist is refused, since
 * creating through it would land wherever it points.
 */
export function realTarget(full: string): string {
  let dir = full
  const rest: string[] = []
  for (;;) {
    try {
      const real = realpathSync.native(dir)
      return rest.length ? join(real, ...rest.reverse()) : real
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e
      let isLink = false
      try {
        isLink = lstatSync(dir).isSymbolicLink()
      } catch {
        // it does not exist at all: look at its parent
      }
      if (isLink) throw new ServiceError('forbidden', 'it is a link whose target does not exist')
      const up = dirname(dir)
      if (up === dir) return full
      rest.push(basename(dir))
      dir = up
    }
  }
}

/**
 * The browser host: every path is relative to one workspace folder, and must stay inside it, on the
 * real path: a link inside the workspace that leads out of it is refused like "../".
 */
/**
 * Whether a file in the workspace is one Open can open: a project, a Keras file, or a JSON file whose
 * start reads like a model (a Keras model JSON, a TensorFlow.js model.json). package.json,
 * tsconfig.json, a run's run.json and the like are left out of the list.
 */
async function opensAsModel(full: string, name: string): Promise<boolean> {
  if (/\.netwright\.json$|\.(keras|h5|hdf5)$/i.test(name)) return true
  let f: Awaited<ReturnType<typeof open>> | undefined
  try {
    // Non-blocking: a FIFO put in the file's place between the listing and this read does not hang it.
    f = await open(full, constants.O_RDONLY | constants.O_NONBLOCK)
    const buf = Buffer.alloc(4096)
    const { bytesRead } = await f.read(buf, 0, buf.length, 0)
    return /"(class_name|modelTopology|format)"\s*:/.test(buf.subarray(0, bytesRead).toString('utf8'))
  } catch {
    return false
  } finally {
    await f?.close().catch(() => undefined)
  }
}

export function workspaceFiles(root: string): ProjectFiles & { root: string } {
  const base = resolve(root)
  let realBase: string | undefined
  const realRoot = () => (realBase ??= realpathSync.native(base))
  return {
    get root() {
      try {
        return realRoot()
      } catch {
        return base
      }
    },
    folder(path) {
      if (path === '' || path === '.' || path === './') return realRoot()
      return this.resolve(path)
    },
    resolve(path) {
      if (isAbsolute(path) || path.includes('\0') || /^[A-Za-z]:/.test(path))
        throw new ServiceError(
          'forbidden',
          `"${path}" is not a path inside the workspace. Use a name such as my-model${PROJECT_EXT}.`,
        )
      const full = resolve(base, path)
      const rel = relative(base, full)
      if (rel === '' || rel.startsWith('..') || rel.split(/[\\/]/).includes('..'))
        throw new ServiceError('forbidden', `"${path}" is outside the workspace folder ${base}.`)
      let real: string
      try {
        real = realTarget(full)
      } catch (e) {
        throw new ServiceError(
          'forbidden',
          `"${path}" cannot be used: ${e instanceof ServiceError ? e.message : `its folder cannot be read (${(e as NodeJS.ErrnoException).code})`}.`,
        )
      }
      if (!inside(realRoot(), real) || real === realRoot())
        throw new ServiceError(
          'forbidden',
          `"${path}" leads outside the workspace folder ${base} (through a link), so Netwright will not use it. Copy the file into the workspace instead.`,
        )
      return real
    },
    async list() {
      const out: ProjectEntry[] = []
      const walk = async (dir: string, depth: number): Promise<void> => {
        for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
          if (e.name.startsWith('.') || e.name === 'node_modules') continue
          // A project's own folders (its kept weights, its runs) hold no projects to open.
          if (e.isDirectory() && /\.(weights|runs)$/.test(e.name)) continue
          const full = join(dir, e.name)
          if (e.isDirectory() && depth < 3) await walk(full, depth + 1)
          else if (
            e.isFile() &&
            /\.(json|keras|h5|hdf5)$/i.test(e.name) &&
            (await opensAsModel(full, e.name))
          ) {
            const s = await stat(full)
            out.push({
              path: relative(realRoot(), full).split(sep).join('/'),
              name: e.name,
              modified: s.mtimeMs,
            })
          }
        }
      }
      await walk(realRoot(), 0)
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

export async function readText(path: string, what = path): Promise<string> {
  try {
    return await readRegularText(path, { maxBytes: LIMITS.modelJson, what })
  } catch (e) {
    if (e instanceof UnreadableFile && e.reason === 'folder')
      throw new ServiceError('bad-request', `${what} is a folder, not a project file.`)
    throw e
  }
}

/**
 * The temporary name a file is written under before it is renamed into place: hidden, beside it,
 * with the writing process's id, so a later start can tell a dead writer's litter from a live one's.
 */
export const tempName = (path: string, tag: 'tmp' | 'old' | 'download' = 'tmp'): string =>
  join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}.${tag}`,
  )

/** Writes to a temporary name beside the target, then renames, so a failed save never leaves half a file. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const tmp = tempName(path)
  try {
    await mkdir(dirname(path), { recursive: true })
    // 'wx': a fresh file, never through a link someone left under that name.
    await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' })
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'a folder has that name'
            : code === 'ENOTDIR'
              ? 'part of the path is a file, not a folder'
              : (e as Error).message
    throw new ServiceError(
      code === 'EACCES' || code === 'EPERM' ? 'forbidden' : 'unavailable',
      `Could not save ${path}: ${why}.`,
    )
  }
}
