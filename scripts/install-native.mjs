// Runs after `npm install`. Electron and tfjs-node fetch native binaries in their own install
// scripts; package.json's `allowScripts` stops npm from running those directly, because a failed
// download (offline machine, proxy, unsupported platform) would fail the whole install. Here we run
// the very same scripts, and a failure only means the app will use what is there: Netwright detects
// at run time whether the Electron binary and libtensorflow exist, and says so.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const steps = [
  {
    name: 'electron',
    dir: 'node_modules/electron',
    script: 'install.js',
    gives: 'the desktop window (without it `npm start` opens the browser host)',
  },
  {
    name: '@tensorflow/tfjs-node',
    dir: 'node_modules/@tensorflow/tfjs-node',
    script: 'scripts/install.js',
    gives: 'native CPU training with libtensorflow',
  },
  {
    name: '@tensorflow/tfjs-node-gpu',
    dir: 'node_modules/@tensorflow/tfjs-node-gpu',
    script: 'scripts/install.js',
    gives: 'CUDA GPU training (Linux with an NVIDIA GPU)',
  },
]

if (process.env.NETWRIGHT_SKIP_NATIVE === '1') {
  console.log('netwright: NETWRIGHT_SKIP_NATIVE=1, not fetching native binaries.')
  process.exit(0)
}

for (const step of steps) {
  const dir = join(root, step.dir)
  if (!existsSync(join(dir, step.script))) continue
  const args = [step.script]
  // tfjs-node-gpu's script takes the flavour as an argument; its own package.json passes none.
  if (step.name.endsWith('-gpu')) args.push('gpu', 'download')
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 10 * 60_000 })
  if (r.status === 0) {
    console.log(`netwright: ${step.name} binary installed.`)
  } else {
    const why = (r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n').filter(Boolean)
    const line = why.find((l) => /ENOTFOUND|EAI_AGAIN|ECONN|ETIMEDOUT|Error:/.test(l)) ?? why.at(-1)
    console.log(
      `netwright: ${step.name} binary not installed (${line ?? 'install script failed'}). ` +
        `It gives ${step.gives}; the app works without it and reports what it uses.`,
    )
  }
}
