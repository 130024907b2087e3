// Dataset files are read as regular files of a bounded size (never a pipe or a device left in the
// cache), with the limits of safe-fs; text files use safe-fs's readRegularText directly.
import { LIMITS, readRegularFile } from '../safe-fs'

/** A dataset file's bytes: a regular file of at most `maxBytes` (1 GB by default). */
export const readDataFile = (path: string, maxBytes: number = LIMITS.dataset): Promise<Buffer> =>
  readRegularFile(path, { maxBytes })
