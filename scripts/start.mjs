// `npm start`: the Electron app where Electron can run; otherwise the browser host, with the reason.
import { spawn, spawnSync } from 'node:child_process'
import { electronBinary } from './electron-binary.mjs'

const args = process.argv.slice(2)

/** Why Electron cannot run here, or null when it can. */
function electronUnavailable() {
  if (process.env.NETWRIGHT_BROWSER === '1') return 'NETWRIGHT_BROWSER=1 asks for the browser host'
  const binary = electronBinary()
  if ('missing' in binary) return binary.missing
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display (DISPLAY is not set)'
  return null
}

const build = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
if (build.status !== 0) {
  console.error('netwright: the build failed; see the errors above.')
  process.exit(build.status ?? 1)
}

const why = electronUnavailable()
const child = why
  ? (console.log(`Netwright: opening the browser host instead of the desktop app, because ${why}.`),
    spawn(process.execPath, ['bin/netwright.js', 'serve', ...args], { stdio: 'inherit' }))
  : spawn(electronBinary().path, ['.', ...args], { stdio: 'inherit' })
child.on('exit', (code) => process.exit(code ?? 0))
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
