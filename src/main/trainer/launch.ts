import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FromTrainer, ToTrainer } from './protocol'

/** One trainer process, as the service sees it, whoever started it. */
export interface TrainerProcess {
  send(msg: ToTrainer): void
  onMessage(listener: (msg: FromTrainer) => void): void
  /** Called once when the process ends, with a description such as "exit code 1" or "signal SIGKILL". */
  onExit(listener: (how: string) => void): void
  kill(): void
  readonly pid: number | undefined
}

export type TrainerLauncher = () => TrainerProcess

/**
 * Starts trainer processes with child_process.fork (the CLI and the browser host). From source the
 * entry is TypeScript, so the child loads tsx; a built entry (.js) runs as it is.
 */
export function forkLauncher(entry: string = defaultEntry()): TrainerLauncher {
  return () => {
    const execArgv = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []
    const child = fork(entry, [], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    })
    let exited = false
    return {
      pid: child.pid,
      send: (msg) => {
        if (child.connected) child.send(msg)
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as FromTrainer)),
      onExit: (listener) =>
        child.once('exit', (code, signal) => {
          exited = true
          listener(signal ? `signal ${signal}` : `exit code ${code}`)
        }),
      kill: () => {
        if (!exited) child.kill('SIGKILL')
      },
    }
  }
}

function defaultEntry(): string {
  const ts = fileURLToPath(new URL('./main.ts', import.meta.url))
  if (existsSync(ts)) return ts
  return fileURLToPath(new URL('./trainer.js', import.meta.url))
}
