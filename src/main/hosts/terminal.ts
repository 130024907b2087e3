// What the CLI prints: names from a model file can hold terminal escape sequences, which must not
// reach the terminal. Text is cleaned line by line; JSON output keeps its data, as \u escapes.
import { jsonLineSafe, termSafe } from '../export/quote'

function terminalSafe(v: unknown): unknown {
  if (typeof v !== 'string') return v
  if (/^[[{]/.test(v)) return jsonLineSafe(v)
  return v.split('\n').map(termSafe).join('\n')
}

/** Runs `f` with console.log and console.error printing only terminal-safe text. */
export async function withSafeConsole<T>(f: () => Promise<T>): Promise<T> {
  const { log, error } = console
  console.log = (...a: unknown[]) => log(...a.map(terminalSafe))
  console.error = (...a: unknown[]) => error(...a.map(terminalSafe))
  try {
    return await f()
  } finally {
    console.log = log
    console.error = error
  }
}
