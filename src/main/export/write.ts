import { constants } from 'node:fs'
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { ServiceError } from '../service/errors'
import { tempName } from '../service/files'

/** One file an export writes: its name inside the folder, and its bytes or text. */
export interface OutFile {
  name: string
  data: string | Uint8Array
}

/** Refuses a file name that would leave its folder or that the file systems we ship to reject. */
export function checkFileName(name: string, what = 'The name'): void {
  if (!name.trim()) throw new ServiceError('bad-request', `${what} is empty.`)
  if (/[/\\]/.test(name))
    throw new ServiceError(
      'bad-request',
      `${what} "${name}" contains a path separator (/ or \\). Give a plain name; the folder is chosen separately.`,
    )
  if (name === '.' || name === '..' || /[\0<>:"|?*]/.test(name))
    throw new ServiceError('bad-request', `${what} "${name}" has a character file names cannot contain.`)
}

/** Makes sure the folder exists (creating it) and can be written to, with a message that says which. */
export async function ensureWritableFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new ServiceError('bad-request', `${folder} is a file, not a folder.`)
    throw new ServiceError('forbidden', `Cannot create the folder ${folder}: ${(e as Error).message}`)
  }
  const s = await stat(folder)
  if (!s.isDirectory()) throw new ServiceError('bad-request', `${folder} is a file, not a folder.`)
  try {
    await access(folder, constants.W_OK)
  } catch {
    throw new ServiceError(
      'forbidden',
      `The folder ${folder} is not writable. Choose another folder, or change its permissions.`,
    )
  }
}

/**
 * Writes several files into a folder so that none is ever half-written: each goes to a temporary
 * name first, and only when all are written are they renamed into place. On any failure the
 * temporary files are removed and the folder is as it was (files already there stay).
 */
export async function writeFilesAtomic(folder: string, files: OutFile[]): Promise<string[]> {
  for (const f of files) checkFileName(f.name, 'The file name')
  await ensureWritableFolder(folder)
  const temps = files.map((f) => tempName(join(folder, f.name)))
  try {
    // 'wx': each temporary file is new, never written through a link left under its name.
    for (let i = 0; i < files.length; i++) await writeFile(temps[i]!, files[i]!.data, { flag: 'wx' })
    // Renamed last to first: a model.json (first) only appears once the weights it names are there.
    for (let i = files.length - 1; i >= 0; i--) await rename(temps[i]!, join(folder, files[i]!.name))
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })))
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'EISDIR'
          ? 'a folder has one of those names'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (e as Error).message
    throw new ServiceError(
      code === 'EACCES' || code === 'EPERM' ? 'forbidden' : 'unavailable',
      `Could not write ${files.map((f) => f.name).join(', ')} in ${folder}: ${why}`,
    )
  }
  return files.map((f) => join(folder, f.name))
}

/** Replaces a whole folder: written beside it under a temporary name, then swapped in. */
export async function replaceFolderAtomic(folder: string, files: OutFile[]): Promise<void> {
  const tmp = tempName(folder)
  const old = tempName(folder, 'old')
  try {
    await writeFilesAtomic(tmp, files)
    const had = await stat(folder).then(
      () => true,
      () => false,
    )
    if (had) await rename(folder, old)
    await rename(tmp, folder)
    if (had) await rm(old, { recursive: true, force: true })
  } catch (e) {
    await rm(tmp, { recursive: true, force: true })
    // If the old folder was moved aside but the new one could not take its place, put it back.
    const gone = await stat(folder).then(
      () => false,
      () => true,
    )
    if (gone) await rename(old, folder).catch(() => {})
    if (e instanceof ServiceError) throw e
    throw new ServiceError('unavailable', `Could not write ${basename(folder)}: ${(e as Error).message}`)
  }
}
