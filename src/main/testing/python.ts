// The real Python libraries for the tests: one Python process per test file (importing TensorFlow
// takes seconds; a process per case took minutes), found as the bench finds it: NETWRIGHT_PYTHON,
// else the virtual environment .ci/run makes (~/.cache/netwright-venv), else python3.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'

const DRIVER = fileURLToPath(new URL('./driver.py', import.meta.url))

/** How .ci/run (and a developer) makes the environment the Python checks use. */
export const VENV_HINT =
  'python3 -m venv ~/.cache/netwright-venv && ~/.cache/netwright-venv/bin/pip install keras tensorflow-cpu torch'

const candidates = (): string[] =>
  [
    process.env.NETWRIGHT_PYTHON,
    join(homedir(), '.cache', 'netwright-venv', 'bin', 'python'),
    'python3',
  ].filter((p): p is string => !!p && (!p.includes('/') || existsSync(p)))

const found = new Map<string, string | null>()

/** The first Python here that can import every module named, or null. */
export function pythonWith(...modules: string[]): string | null {
  const key = modules.join(',')
  if (!found.has(key))
    found.set(
      key,
      candidates().find(
        (p) =>
          spawnSync(p, ['-c', `import ${modules.join(', ')}`], {
            stdio: 'ignore',
            env: { ...process.env, KERAS_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '3' },
            timeout: 120_000,
          }).status === 0,
      ) ?? null,
    )
  return found.get(key)!
}

/** Why a suite skipped, in a sentence to print. */
export const skipReason = (modules: string[]): string =>
  `no Python here can import ${modules.join(' and ')} (tried ${candidates().join(', ')}); set one up with: ${VENV_HINT}`

export class PythonError extends Error {
  override name = 'PythonError'
}

/** One Python process running snippets (see driver.py); `run` answers what the snippet left in `result`. */
export class PythonSession {
  private child: ChildProcessWithoutNullStreams
  private next = 1
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private stderr = ''

  /** `env` adds to (or overrides) the environment: KERAS_BACKEND is tensorflow unless it says otherwise. */
  constructor(
    readonly python: string,
    env: Record<string, string> = {},
  ) {
    this.child = spawn(python, ['-u', DRIVER], {
      env: {
        ...process.env,
        KERAS_BACKEND: 'tensorflow',
        TF_CPP_MIN_LOG_LEVEL: '3',
        PYTHONHASHSEED: '0',
        ...env,
      },
    })
    this.child.stderr.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-20_000)
    })
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const a = JSON.parse(line) as { id: number; ok: boolean; result?: unknown; error?: string; out: string }
      const w = this.waiting.get(a.id)
      this.waiting.delete(a.id)
      if (!w) return
      if (a.ok) w.resolve(a.result)
      else w.reject(new PythonError(`${a.error}\n${a.out.slice(-4000)}`))
    })
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values())
        w.reject(new PythonError(`Python exited (${code}) before answering:\n${this.stderr.slice(-4000)}`))
      this.waiting.clear()
    })
  }

  run<T = unknown>(code: string, vars: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.child.stdin.write(JSON.stringify({ id, code, vars }) + '\n')
    })
  }

  close(): void {
    this.child.stdin.end()
    this.child.kill()
  }
}

/** Keras's counts of a model, as driver.py's counts() reports them. */
export interface KerasCounts {
  total: number
  trainable: number
  layers: Record<string, { class: string; params: number; trainable: number }>
}

/**
 * One PythonSession for the calling describe block: started (and `warmup` run, importing what the
 * tests use) before its tests, closed after them.
 */
export function usePython(
  python: string,
  warmup: string,
  env: Record<string, string> = {},
): () => PythonSession {
  let py: PythonSession | undefined
  beforeAll(async () => {
    py = new PythonSession(python, env)
    await py.run(warmup)
  }, 120_000)
  afterAll(() => py?.close())
  return () => py!
}
