// Finds the Electron binary without triggering electron's lazy download (its index.js downloads on
// require when the binary is missing). Used by `npm start` and the Electron e2e specs.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'electron')

/** @returns {{ path: string } | { missing: string }} */
export function electronBinary() {
  if (!existsSync(join(pkgDir, 'package.json'))) return { missing: 'the electron package is not installed' }
  const pathFile = join(pkgDir, 'path.txt')
  if (!existsSync(pathFile))
    return {
      missing:
        'the Electron binary is not installed (its download failed or was skipped during `npm install`)',
    }
  const rel = readFileSync(pathFile, 'utf8')
  const full = process.env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel)
    : join(pkgDir, 'dist', rel)
  return existsSync(full) ? { path: full } : { missing: `the Electron binary is missing at ${full}` }
}
