// The Electron e2e spec against the packaged Linux app (dist/linux-unpacked, after `npm run dist`),
// as the release workflow runs it under xvfb: `xvfb-run -a npx tsx scripts/e2e-packaged.ts`.
// First the shipped binary's fuses are read back and compared with electron-builder.ts's FUSES.
// Playwright drives Electron through the Node inspector, which the shipped binary refuses (its
// nodeCliInspect fuse is off, as it should be), so the spec runs on a copy whose only change is
// that one fuse turned back on.
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import config, { FUSES } from '../electron-builder'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const unpacked = ['linux-unpacked', 'linux-arm64-unpacked'].map((d) => join(root, 'dist', d)).find(existsSync)
if (!unpacked) {
  console.error('e2e-packaged: no dist/linux-unpacked; run `npm run dist` first.')
  process.exit(1)
}
const exe = (dir: string) => join(dir, config.executableName ?? 'netwright')

/** electron-builder's option name → @electron/fuses' wire index (runAsNode → RunAsNode). */
const wireIndex = (key: string): number => {
  const name = (key[0]!.toUpperCase() + key.slice(1)) as keyof typeof FuseV1Options
  const index = FuseV1Options[name]
  if (index === undefined) throw new Error(`@electron/fuses has no fuse ${name}`)
  return index
}

// A fuse's state is a character in the wire: '1' on, '0' off (@electron/fuses' FuseState, unexported).
const ENABLE = '1'.charCodeAt(0)
const DISABLE = '0'.charCodeAt(0)
const wire = (await getCurrentFuseWire(exe(unpacked))) as unknown as Record<number, number>
const wrong = Object.entries(FUSES).filter(([key, on]) => wire[wireIndex(key)] !== (on ? ENABLE : DISABLE))
if (wrong.length) {
  console.error(
    `e2e-packaged: the packaged app's fuses differ from electron-builder.ts: ${wrong.map(([k]) => k).join(', ')}`,
  )
  process.exit(1)
}
console.log(`e2e-packaged: the packaged app's ${Object.keys(FUSES).length} fuses are as configured.`)

const copy = mkdtempSync(join(tmpdir(), 'netwright-packaged-'))
try {
  cpSync(unpacked, copy, { recursive: true, verbatimSymlinks: true })
  await flipFuses(exe(copy), { version: FuseVersion.V1, [FuseV1Options.EnableNodeCliInspectArguments]: true })
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/@playwright/test/cli.js'), 'test', 'e2e/electron.spec.ts'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NETWRIGHT_E2E_APP: exe(copy) },
    },
  )
  process.exitCode = r.status ?? 1
} finally {
  rmSync(copy, { recursive: true, force: true })
}
