// electron-builder's configuration (it finds this file by name; `npm run dist` runs it through
// scripts/dist.mjs). Unit-tested in src/main/packaging.test.ts with electron-builder's own loader
// and schema. The app's version is package.json's: nothing here sets another.
import type { Configuration } from 'electron-builder'

/**
 * Electron's fuses, flipped in the packaged binary by electron-builder (with @electron/fuses, right
 * before signing): no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect, cookies encrypted, the app
 * only from its asar and that asar checked against the hash in the binary, and file:// pages without
 * the extra privileges (the app's pages come from netwright://app/).
 */
export const FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const

/** Generated from resources/icon.svg by scripts/icons.mjs (which `npm run dist` runs first). */
export const ICONS_DIR = 'build/icons'

/** The project file, as the OS should know it. */
export const PROJECT_FILE = {
  ext: 'netwright.json',
  name: 'Netwright project',
  description: 'A neural network designed in Netwright',
  mimeType: 'application/x-netwright-project',
  role: 'Editor',
} as const

const config: Configuration = {
  appId: 'dev.netwright.app',
  productName: 'Netwright',
  executableName: 'netwright',
  copyright: 'Copyright © Netwright developers',
  directories: { output: 'dist', buildResources: 'build' },
  artifactName: '${productName}-${version}-${os}-${arch}.${ext}',
  // What the app needs at run time: the built main, preload and renderer, the templates, and
  // package.json; dependencies are added by electron-builder (production ones only).
  files: [
    'out/**',
    'resources/templates/**',
    'package.json',
    // Dawn in the `webgpu` package cannot run in Electron's Node (dawn-gpu/node-webgpu#5); the
    // app's GPU rung is its trainer window on Chromium's own WebGPU. ~130 MB of binaries left out.
    '!node_modules/webgpu/**',
  ],
  asar: true,
  // Read from the disk by something other than Electron's fs: native addons (tfjs-node's
  // libtensorflow, resvg's .node), the wasm backend's files for its worker threads, and the keras
  // rung's driver, which Python runs.
  asarUnpack: [
    '**/*.node',
    'node_modules/@tensorflow/tfjs-node/**',
    'node_modules/@tensorflow/tfjs-node-gpu/**',
    'node_modules/@tensorflow/tfjs-backend-wasm/dist/**',
    'out/main/keras_driver.py',
    'out/main/keras_fit.py',
  ],
  // tfjs-node and resvg are Node-API addons: they load in Electron's Node without a rebuild, and a
  // rebuild would run tfjs-node's download again.
  npmRebuild: false,
  electronFuses: FUSES,
  fileAssociations: [PROJECT_FILE],
  publish: null,
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64', 'arm64'] },
      { target: 'deb', arch: ['x64', 'arm64'] },
    ],
    category: 'Education',
    icon: ICONS_DIR,
    synopsis: 'Design neural networks by drawing them; train them with one click',
    maintainer: 'Netwright developers',
    mimeTypes: [PROJECT_FILE.mimeType],
  },
  deb: {
    depends: ['libgtk-3-0', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libsecret-1-0'],
  },
  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    category: 'public.app-category.education',
    icon: `${ICONS_DIR}/icon.icns`,
    hardenedRuntime: true,
  },
  dmg: { title: '${productName} ${version}' },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: `${ICONS_DIR}/icon.ico`,
  },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
}

export default config
