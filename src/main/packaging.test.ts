// The desktop app's packaging, checked offline: electron-builder's configuration through its own
// loader and schema, the fuses, each platform's targets and files, the icons, the release workflow,
// and `npm run dist` refusing with a sentence where it cannot build.
import { Icns } from '@fiahfy/icns'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import config, { FUSES, ICONS_DIR, PROJECT_FILE } from '../../electron-builder'
import {
  cachedElectronZips,
  distPlan,
  electronCacheDir,
  nodeSatisfies,
  targetsText,
} from '../../scripts/dist-plan'
import { appRoot } from './hosts/paths'

const root = appRoot()
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string
  main: string
  scripts: Record<string, string>
  build?: unknown
}
const tmp = mkdtempSync(join(tmpdir(), 'netwright-packaging-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

type Matcher = { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean }
/** electron-builder's own file matching for a platform's section, as it packs the app. */
async function filesFilter(key: 'files' | 'asarUnpack', section: object) {
  const { getFileMatchers } = (await import('app-builder-lib/out/fileMatcher')) as unknown as {
    getFileMatchers(
      c: unknown,
      name: string,
      dest: string,
      o: {
        macroExpander: (p: string) => string
        customBuildOptions: object
        globalOutDir: string
        defaultSrc: string
      },
    ): Matcher[] | null
  }
  const matchers = getFileMatchers(config, key, '/app', {
    macroExpander: (p) => p,
    customBuildOptions: section,
    globalOutDir: join(root, 'dist'),
    defaultSrc: root,
  })
  const filters = (matchers ?? []).map((m) => m.createFilter())
  return (rel: string) => filters.some((f) => f(join(root, rel), { isDirectory: () => false }))
}

describe('the installers’ configuration (electron-builder.ts)', () => {
  it('resolves and validates with electron-builder’s own loader and schema, from electron-builder.ts alone', async () => {
    const { getConfig, validateConfiguration } =
      (await import('app-builder-lib/out/util/config/config')) as unknown as {
        getConfig(dir: string, path: string | null, opts: null): Promise<Record<string, unknown>>
        validateConfiguration(c: unknown, logger: unknown): Promise<void>
      }
    const { DebugLogger } = (await import('builder-util')) as unknown as {
      DebugLogger: new (on: boolean) => unknown
    }
    const resolved = await getConfig(root, null, null)
    await validateConfiguration(resolved, new DebugLogger(false))
    expect(resolved.appId).toBe('dev.netwright.app')
    expect(resolved.electronFuses).toEqual(FUSES)
    // One configuration: none left in package.json, and nothing overrides package.json's version.
    expect(pkg.build).toBeUndefined()
    expect(resolved.extraMetadata).toBeUndefined()
    expect(resolved.buildVersion).toBeUndefined()
    expect(String(resolved.artifactName)).toContain('${version}')
  })

  it('flips the fuses Electron’s security checklist asks for', () => {
    expect(FUSES).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    })
    expect(config.asar).toBe(true)
  })

  it('builds AppImage and deb (x64, arm64), dmg (x64, arm64) and NSIS (x64)', () => {
    expect(targetsText(distPlan(config, 'linux', '45.4.1'))).toBe('AppImage (x64, arm64), deb (x64, arm64)')
    expect(targetsText(distPlan(config, 'darwin', '45.4.1'))).toBe('dmg (x64, arm64)')
    expect(targetsText(distPlan(config, 'win32', '45.4.1'))).toBe('nsis (x64)')
    // electron-builder's arch flags replace the configured ones, as the release workflow uses them.
    expect(targetsText(distPlan(config, 'linux', '45.4.1', ['--arm64']))).toBe(
      'AppImage (arm64), deb (arm64)',
    )
    expect(distPlan(config, 'linux', '45.4.1').electronZips).toEqual([
      'electron-v45.4.1-linux-x64.zip',
      'electron-v45.4.1-linux-arm64.zip',
    ])
    expect(() => distPlan(config, 'freebsd', '45.4.1')).toThrow(/Linux, macOS or Windows, not on freebsd/)
  })

  it('packs, for every platform, what the app runs and none of the repository’s sources or tests', async () => {
    const needed = [
      pkg.main,
      'out/main/trainer.js',
      'out/main/keras_driver.py',
      'out/main/keras_fit.py',
      'out/preload/index.cjs',
      'out/preload/trainer.cjs',
      'out/renderer/index.html',
      'out/renderer/trainer.html',
      'out/renderer/assets/index-x.js',
      'package.json',
      ...readdirSync(join(root, 'resources', 'templates')).map((f) => `resources/templates/${f}`),
    ]
    const left = [
      'src/main/index.ts',
      'src/main/packaging.test.ts',
      'e2e/electron.spec.ts',
      'bench/index.ts',
      'scripts/dist.ts',
      'electron-builder.ts',
      'README.md',
      '.github/workflows/release.yml',
      'docs/screenshots/first-screen.png',
      'node_modules/webgpu/index.js',
    ]
    for (const os of ['linux', 'mac', 'win'] as const) {
      const packed = await filesFilter('files', config[os] ?? {})
      for (const f of needed) expect(packed(f), `${os}: ${f}`).toBe(true)
      for (const f of left) expect(packed(f), `${os}: ${f}`).toBe(false)
      // Read from the disk by something other than Electron's fs: unpacked from the asar.
      const unpacked = await filesFilter('asarUnpack', config[os] ?? {})
      for (const f of [
        'out/main/keras_driver.py',
        'out/main/keras_fit.py',
        'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
        'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
        'node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node',
        'node_modules/@resvg/resvg-js-linux-x64-gnu/resvgjs.linux-x64-gnu.node',
        'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
      ])
        expect(unpacked(f), `${os}: ${f}`).toBe(true)
      expect(unpacked('out/main/index.js'), os).toBe(false)
    }
  })

  it('registers .netwright.json projects with the OS', () => {
    expect(config.fileAssociations).toEqual([PROJECT_FILE])
    expect(PROJECT_FILE.ext).toBe('netwright.json')
    expect(config.linux?.mimeTypes).toContain(PROJECT_FILE.mimeType)
  })
})

describe('the icons (scripts/icons.mjs)', () => {
  it('makes every size, the .ico and the .icns from the one SVG, where each platform looks for them', async () => {
    const { makeIcons, PNG_SIZES, ICO_SIZES, ICNS_TYPES } = await import('../../scripts/icons.mjs')
    const out = join(tmp, 'icons')
    const written = await makeIcons(undefined, out)
    expect(written.sort()).toEqual(
      [...PNG_SIZES.map((s) => `${s}x${s}.png`), 'icon.icns', 'icon.ico', 'icon.png'].sort(),
    )
    for (const s of PNG_SIZES) {
      const png = PNG.sync.read(readFileSync(join(out, `${s}x${s}.png`)))
      expect([png.width, png.height]).toEqual([s, s])
      // Drawn, not blank: the middle pixel is opaque, the corner (outside the rounded square) clear.
      const at = (x: number, y: number) => png.data[(y * png.width + x) * 4 + 3]
      expect(at(s >> 1, s >> 1)).toBe(255)
      expect(at(0, 0)).toBe(0)
    }
    // The .ico's directory: one entry per size (0 means 256).
    const ico = readFileSync(join(out, 'icon.ico'))
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1])
    const count = ico.readUInt16LE(4)
    const sizes = Array.from({ length: count }, (_, i) => ico[6 + i * 16] || 256)
    expect(sizes.sort((a, b) => a - b)).toEqual(ICO_SIZES)
    // The .icns, read back: each type holds a PNG of its size.
    const icns = Icns.from(readFileSync(join(out, 'icon.icns')))
    expect(icns.images.map((i) => i.osType)).toEqual(ICNS_TYPES.map(([t]) => t))
    for (const [i, [, size]] of ICNS_TYPES.entries()) {
      const png = PNG.sync.read(icns.images[i]!.data.subarray(8))
      expect(png.width, ICNS_TYPES[i]![0]).toBe(size)
    }
    // electron-builder.ts points at these very files (in build/icons, which `npm run dist` fills).
    expect(config.linux?.icon).toBe(ICONS_DIR)
    expect(config.mac?.icon).toBe(`${ICONS_DIR}/icon.icns`)
    expect(config.win?.icon).toBe(`${ICONS_DIR}/icon.ico`)
  })
})

describe('the release workflow (.github/workflows/release.yml)', () => {
  const wf = parse(readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8')) as {
    on: Record<string, unknown>
    jobs: Record<
      string,
      {
        'runs-on': string
        strategy: { matrix: { include: { os: string; arch: string; runner: string }[] } }
        steps: { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string> }[]
      }
    >
  }

  it('is valid YAML whose job tests and builds on Linux, macOS and Windows runners', () => {
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['push', 'workflow_dispatch']))
    const job = Object.values(wf.jobs)[0]!
    const include = job.strategy.matrix.include
    expect(include.map((m) => `${m.os}-${m.arch}`).sort()).toEqual(
      ['linux-arm64', 'linux-x64', 'mac-arm64', 'mac-x64', 'win-x64'].sort(),
    )
    expect(include.some((m) => m.runner.startsWith('ubuntu'))).toBe(true)
    expect(include.some((m) => m.runner.startsWith('macos'))).toBe(true)
    expect(include.some((m) => m.runner.startsWith('windows'))).toBe(true)
    const runs = job.steps.map((s) => s.run ?? '')
    const at = (re: RegExp) => runs.findIndex((r) => re.test(r))
    expect(at(/^npm ci\b/m)).toBeGreaterThanOrEqual(0)
    expect(at(/^npm test$/m)).toBeGreaterThan(at(/^npm ci\b/m))
    expect(at(/^npm run dist -- --\$\{\{ matrix\.arch \}\}$/m)).toBeGreaterThan(at(/^npm test$/m))
    // On Linux, the Electron e2e spec against the packaged app, under xvfb.
    const e2e = job.steps.find((s) => /xvfb-run .*scripts\/e2e-packaged\.ts/.test(s.run ?? ''))
    expect(e2e?.if).toBe("matrix.os == 'linux'")
    expect(readFileSync(join(root, 'scripts', 'e2e-packaged.ts'), 'utf8')).toContain('e2e/electron.spec.ts')
    // The installers, uploaded.
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    for (const ext of ['AppImage', 'deb', 'dmg', 'exe']) expect(upload?.with?.path).toContain(`dist/*.${ext}`)
  })
})

describe('npm run dist', () => {
  it('says what it builds and what it needs, and stops with a sentence where it cannot reach the network', async () => {
    // A port nothing listens on (refused at once) stands for a machine without internet access.
    const server = createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const port = (server.address() as AddressInfo).port
    await new Promise((done) => server.close(done))
    const r = spawnSync('npm', ['run', 'dist'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NETWRIGHT_DIST_PROBE: `http://127.0.0.1:${port}/` },
      timeout: 60_000,
    })
    expect(r.status).toBe(1)
    expect(r.stdout).toContain(`Netwright ${pkg.version}: installers for`)
    expect(r.stdout).toMatch(/It needs:\n {2}- Electron \d+\.\d+\.\d+ for /)
    expect(r.stderr).toContain('npm run dist: it cannot build here:')
    expect(r.stderr).toContain(
      `127.0.0.1:${port} could not be reached (the server refused the connection: ECONNREFUSED)`,
    )
    expect(r.stderr).toContain('.github/workflows/release.yml')
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/) // no stack trace
    // Nothing was built: it stopped before the icons, the build and electron-builder.
    expect(r.stdout).not.toContain('> icons')
  })

  it('finds Electron’s zips in @electron/get’s cache and reads engines ranges', () => {
    const cache = join(tmp, 'electron-cache')
    mkdirSync(join(cache, '0a1b2c'), { recursive: true })
    writeFileSync(join(cache, '0a1b2c', 'electron-v45.4.1-linux-x64.zip'), '')
    const zips = ['electron-v45.4.1-linux-x64.zip', 'electron-v45.4.1-linux-arm64.zip']
    expect(cachedElectronZips(zips, cache)).toEqual(['electron-v45.4.1-linux-x64.zip'])
    expect(cachedElectronZips(zips, join(tmp, 'none'))).toEqual([])
    expect(electronCacheDir({ ELECTRON_CACHE: '/c' }, 'linux')).toBe('/c')
    expect(electronCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux')).toBe(join('/x', 'electron'))
    expect(nodeSatisfies('20.20.2', '>= 22.12.0')).toBe(false)
    expect(nodeSatisfies('22.12.0', '>= 22.12.0')).toBe(true)
    expect(nodeSatisfies('24.1.0', '>=22.12.0')).toBe(true)
    expect(nodeSatisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true)
    expect(nodeSatisfies('21.0.0', '^20.19.0 || >=22.12.0')).toBe(false)
    expect(nodeSatisfies('18.0.0', undefined)).toBe(true)
  })
})
