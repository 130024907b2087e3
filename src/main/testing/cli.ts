// The CLI tests' helpers: the CLI in a new process, or in the test's own (cli.test.ts, cli-train.test.ts).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { vi } from 'vitest'
import { main } from '../hosts/cli'
import { appRoot } from '../hosts/paths'
import { pythonWith, skipReason } from './python'

export const root = appRoot()
export const template = join(root, 'resources/templates/shapes-mlp.netwright.json')
export const fixtures = join(root, 'e2e/fixtures')

export const kerasPython = pythonWith('keras', 'tensorflow')
export const kerasSkipReason = () => skipReason(['keras', 'tensorflow'])

/** The CLI as a user runs it: a new Node process (for what a new process is the point of). */
export function netwright(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/netwright.js'), ...args], {
    encoding: 'utf8',
    cwd: root,
    timeout: 120_000,
    env: { ...process.env, ...(kerasPython ? { NETWRIGHT_PYTHON: kerasPython } : {}) },
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

/**
 * The CLI in this process (its main, its console captured): what a command prints and returns,
 * without the seconds a new Node process takes to start. Training still forks the trainer process.
 */
export async function cli(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')))
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')))
  try {
    const code = await main(args)
    return { code, out: out.map((l) => `${l}\n`).join(''), err: err.map((l) => `${l}\n`).join('') }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}
