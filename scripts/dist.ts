// `npm run dist`: the installers for this platform. Says first what it will build and what that
// needs, checks what it can in a few seconds (Node's version, the network electron-builder
// downloads from, unless everything is cached), and stops with a sentence rather than a stack trace
// when something is missing. Then: the icons, the app's build, electron-builder.
// Arguments go to electron-builder (`npm run dist -- --arm64`); `--publish never` is always added.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import config from '../electron-builder'
import {
  cachedElectronZips,
  distPlan,
  electronCacheDir,
  nodeSatisfies,
  reachable,
  targetsText,
} from './dist-plan'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const json = (p: string) => JSON.parse(readFileSync(join(root, p), 'utf8')) as Record<string, unknown>

function fail(sentence: string): never {
  console.error(`\nnpm run dist: ${sentence}`)
  process.exit(1)
}

let electron: Record<string, unknown>
try {
  electron = json('node_modules/electron/package.json')
} catch {
  fail('the electron package is not installed. Run `npm install` first.')
}
const electronVersion = String(electron.version)
const nodeRange = (electron.engines as { node?: string } | undefined)?.node
const app = json('package.json')
let plan
try {
  plan = distPlan(config, process.platform, electronVersion, args)
} catch (e) {
  fail((e as Error).message)
}
const outDir = config.directories?.output ?? 'dist'
const cache = electronCacheDir()
const cached = cachedElectronZips(plan.electronZips, cache)
const toDownload = plan.electronZips.filter((z) => !cached.includes(z))

console.log(
  [
    `Netwright ${String(app.version)}: installers for ${plan.os}: ${targetsText(plan)}, into ${outDir}/.`,
    'It needs:',
    `  - Electron ${electronVersion} for ${plan.electronZips.map((z) => z.replace(/^electron-v[^-]+-|\.zip$/g, '')).join(', ')}: ` +
      (toDownload.length
        ? `electron-builder downloads ${toDownload.join(', ')} from github.com into ${cache}`
        : `in ${cache} already`),
    `  - electron-builder's tools for ${[...new Set(plan.targets.map((t) => t.target))].join(', ')}, which it downloads from github.com (electron-builder-binaries) the first time`,
    `  - Node ${nodeRange ?? 'as Electron asks'} (Electron ${electronVersion} and its download tool ask for it)`,
    '  - the icons (scripts/icons.mjs, from resources/icon.svg) and the app built by electron-vite, made now',
  ].join('\n'),
)

// Everything missing is said at once.
const problems: string[] = []
if (!nodeSatisfies(process.versions.node, nodeRange))
  problems.push(
    `Electron ${electronVersion} and its download tool ask for Node ${nodeRange}, and this is Node ` +
      `${process.versions.node}: install a newer Node (22 LTS or later).`,
  )
// electron-builder fetches its tools and, unless cached, Electron from GitHub's releases.
const probe = process.env.NETWRIGHT_DIST_PROBE ?? 'https://github.com'
const net = await reachable(probe, 5_000)
if (!net.ok)
  problems.push(
    `electron-builder downloads ${toDownload.length ? `Electron ${electronVersion} and ` : ''}the tools ` +
      `that make ${targetsText(plan)} from github.com, and ${new URL(probe).host} could not be reached ` +
      `(${net.why}): run it on a machine with internet access.`,
  )
if (problems.length)
  fail(
    `it cannot build here:
${problems.map((p) => `  - ${p}`).join('\n')}
` + 'The release workflow (.github/workflows/release.yml) builds every platform’s installers on GitHub.',
  )

const run = (what: string, cmd: string, argv: string[]) => {
  console.log(`\n> ${what}`)
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) fail(`${what} failed (exit code ${r.status ?? r.signal}); see above.`)
}
run('icons', process.execPath, [join(root, 'scripts/icons.mjs')])
run('electron-vite build', process.execPath, [
  join(root, 'node_modules/electron-vite/bin/electron-vite.js'),
  'build',
])
run('electron-builder', process.execPath, [
  join(root, 'node_modules/electron-builder/cli.js'),
  '--publish',
  'never',
  ...args,
])
console.log(`\nnpm run dist: the installers are in ${join(root, 'dist')}.`)
