// What `npm run dist` will build on this machine and what that needs, worked out before anything
// runs (scripts/dist.ts prints it, then checks it). Pure but for `cachedElectronZips` and
// `reachable`; unit-tested in src/main/packaging.test.ts.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Configuration } from 'electron-builder'
import { NETWORK_WORDS } from '../src/main/datasets/download'

type Arch = 'x64' | 'arm64' | 'ia32' | 'armv7l' | 'universal'
export interface PlannedTarget {
  target: string
  archs: Arch[]
}
export interface DistPlan {
  /** electron-builder's name for the platform: linux, mac or win. */
  os: 'linux' | 'mac' | 'win'
  targets: PlannedTarget[]
  /** Electron's zips electron-builder needs: electron-v45.4.1-linux-x64.zip, … */
  electronZips: string[]
}

const OS: Partial<Record<NodeJS.Platform, DistPlan['os']>> = { linux: 'linux', darwin: 'mac', win32: 'win' }
const ZIP_PLATFORM: Record<DistPlan['os'], string> = { linux: 'linux', mac: 'darwin', win: 'win32' }
const ARCH_FLAGS: Record<string, Arch> = {
  '--x64': 'x64',
  '--arm64': 'arm64',
  '--ia32': 'ia32',
  '--armv7l': 'armv7l',
  '--universal': 'universal',
}

/**
 * The targets of this platform's section of the config, with their architectures; `--x64`,
 * `--arm64`, … among the arguments replace them, as electron-builder's own flags do.
 */
export function distPlan(
  config: Configuration,
  platform: NodeJS.Platform,
  electronVersion: string,
  args: readonly string[] = [],
): DistPlan {
  const os = OS[platform]
  if (!os) throw new Error(`Netwright's installers are built on Linux, macOS or Windows, not on ${platform}.`)
  const section = config[os] as { target?: unknown } | null | undefined
  const raw = Array.isArray(section?.target) ? section.target : section?.target ? [section.target] : []
  const forced = args.map((a) => ARCH_FLAGS[a]).filter((a): a is Arch => a !== undefined)
  const targets = raw.map((t): PlannedTarget => {
    const entry =
      typeof t === 'string' ? { target: t, arch: undefined } : (t as { target: string; arch?: Arch | Arch[] })
    const archs = forced.length ? forced : entry.arch ? ([] as Arch[]).concat(entry.arch) : ['x64' as Arch]
    return { target: entry.target, archs }
  })
  const archs = [...new Set(targets.flatMap((t) => t.archs))]
  return {
    os,
    targets,
    electronZips: archs.map((a) => `electron-v${electronVersion}-${ZIP_PLATFORM[os]}-${a}.zip`),
  }
}

/** `AppImage (x64, arm64), deb (x64, arm64)` */
export const targetsText = (plan: DistPlan): string =>
  plan.targets.map((t) => `${t.target} (${t.archs.join(', ')})`).join(', ')

/** Where @electron/get keeps Electron's zips (electron-builder downloads them through it). */
export function electronCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'electron')
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'electron', 'Cache')
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron')
}

/** Which of the zips are already in the cache (at its top or in one of its hashed folders). */
export function cachedElectronZips(zips: readonly string[], cacheDir: string): string[] {
  if (!existsSync(cacheDir)) return []
  const folders = [cacheDir]
  for (const name of readdirSync(cacheDir)) {
    const p = join(cacheDir, name)
    if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) folders.push(p)
  }
  return zips.filter((z) => folders.some((f) => existsSync(join(f, z))))
}

/** Whether `version` (`20.20.2`) satisfies an `engines.node` range, read as its floors per major. */
export function nodeSatisfies(version: string, range: string | undefined): boolean {
  if (!range) return true
  const v = version.replace(/^v/, '').split('.').map(Number)
  const parts = range.split('||').map((p) => p.trim())
  return parts.some((part) => {
    const m = /^(>=|\^|~)?\s*v?(\d+)\.(\d+)\.(\d+)$/.exec(part)
    if (!m) return true // a range this reading does not understand is not held against the build
    const [maj, min, pat] = [Number(m[2]), Number(m[3]), Number(m[4])]
    const atLeast = v[0]! > maj || (v[0] === maj && (v[1]! > min || (v[1] === min && v[2]! >= pat)))
    if (m[1] === '^') return atLeast && v[0] === maj
    if (m[1] === '~') return atLeast && v[0] === maj && v[1] === min
    return atLeast
  })
}

/** Whether an HTTPS address answers at all within `ms` (any HTTP status counts); else why not. */
export async function reachable(url: string, ms: number): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(ms), redirect: 'manual' })
    return { ok: true }
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string }
    if (err.name === 'TimeoutError') return { ok: false, why: `no answer within ${ms / 1000} s` }
    const code = err.cause?.code
    if (code) return { ok: false, why: NETWORK_WORDS[code] ? `${NETWORK_WORDS[code]}: ${code}` : code }
    return { ok: false, why: err.cause?.message ?? err.message ?? String(e) }
  }
}
