// kill -9 during save, as the fuzz run and the suite both do it.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serializeDocument } from '../../shared/graph/load'
import { browserService } from '../hosts/browser'
import { templateDocs } from './harness'

/**
 * Saves a 20 MB project over and over in a child process and kills it (SIGKILL) at a random moment,
 * `runs` times: the file must be the old project or a new one each time, never broken; then a service
 * starts on the folder and must leave no temporary file behind.
 */
export async function killDuringSave(runs: number): Promise<{
  keptOld: number
  keptNew: number
  broken: number
  litterBefore: number
  litterAfter: number
}> {
  const root = mkdtempSync(join(tmpdir(), 'netwright-kill9-'))
  const ws = join(root, 'workspace')
  mkdirSync(ws)
  const path = join(ws, 'big.netwright.json')
  const doc = templateDocs().find((d) => d.nodes.length === 4) ?? templateDocs()[0]!
  writeFileSync(path, serializeDocument({ ...doc, name: 'old', description: 'x'.repeat(20 * 1024 * 1024) }))
  const script = join(root, 'saver.mts')
  writeFileSync(
    script,
    `import { writeTextAtomic } from ${JSON.stringify(fileURLToPath(new URL('../service/files.ts', import.meta.url)))}
import { serializeDocument } from ${JSON.stringify(fileURLToPath(new URL('../../shared/graph/load.ts', import.meta.url)))}
const d = JSON.parse(process.argv.at(-1))
d.description = 'y'.repeat(20 * 1024 * 1024)
process.send?.('ready')
for (let i = 0; ; i++) { d.name = 'new ' + i; await writeTextAtomic(${JSON.stringify(path)}, serializeDocument(d)) }
`,
  )
  const out = { keptOld: 0, keptNew: 0, broken: 0, litterBefore: 0, litterAfter: 0 }
  for (let i = 0; i < runs; i++) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, JSON.stringify({ ...doc, description: '' })],
      {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    )
    await new Promise((r) => child.once('message', r))
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 400))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    try {
      const name = (JSON.parse(readFileSync(path, 'utf8')) as { name: string }).name
      if (name === 'old') out.keptOld++
      else if (name.startsWith('new ')) out.keptNew++
      else out.broken++
    } catch {
      out.broken++
    }
  }
  const temps = () => readdirSync(ws).filter((f) => f.endsWith('.tmp')).length
  out.litterBefore = temps()
  const s = browserService(ws)
  await s.swept
  s.shutdown()
  out.litterAfter = temps()
  return out
}
