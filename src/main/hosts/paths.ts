import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
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

/**
 * Where the browser host keeps the user's projects unless told otherwise: $NETWRIGHT_WORKSPACE, else
 * a Netwright folder in the home folder. Never the folder Netwright runs from (its source tree).
 */
export const defaultWorkspace = (env: NodeJS.ProcessEnv = process.env): string =>
  env.NETWRIGHT_WORKSPACE || join(homedir(), 'Netwright')
