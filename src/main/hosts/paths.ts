import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository (or app) root: the folder holding package.json, found upward from this file. */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('Cannot find the Netwright folder (package.json).')
    dir = up
  }
  return dir
}

export const templatesDir = (): string => join(appRoot(), 'resources', 'templates')
export const rendererDir = (): string => join(appRoot(), 'out', 'renderer')
