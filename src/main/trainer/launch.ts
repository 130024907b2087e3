import { fork } from 'node:child_process'
import { Transform } from 'node:stream'
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
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    })
    child.stderr?.pipe(withoutDawnNotes()).pipe(process.stderr, { end: false })
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

/**
 * Dawn (the webgpu rung) prints what it finds while it looks for an adapter straight to stderr, in
 * blocks like "Warning: Couldn't load Vulkan: …" followed by "    at operator() (…)" lines. The
 * backend report already says what was found and why, so those blocks are left out; every other
 * line the trainer writes goes through as it is.
 */
export function withoutDawnNotes(): Transform {
  let rest = ''
  let inBlock = false
  const keep = (line: string): boolean => {
    if (/^Warning: /.test(line)) inBlock = true
    else if (!(inBlock && (/^\s+(at |- )/.test(line) || line === ''))) inBlock = false
    return !inBlock
  }
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const lines = (rest + chunk.toString('utf8')).split('\n')
      rest = lines.pop() ?? ''
      done(
        null,
        lines
          .filter(keep)
          .map((l) => l + '\n')
          .join(''),
      )
    },
    flush(done) {
      done(null, rest && keep(rest) ? rest : '')
    },
  })
}
