// `netwright datasets`: the datasets the app knows, and preparing one (download, verify, load, the
// class balance), through the same service calls as the app's dataset browser.
import { parseArgs } from 'node:util'
import type { DatasetProgress } from '../../shared/ipc/contract'
import { cliService } from './cli-doc'
import { UsageError } from './usage-error'

/** `netwright datasets list|prepare <id> [--option k=v] [--json]`; `usage` is the CLI's help text. */
export async function datasets(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, option: { type: 'string', multiple: true } },
  })
  const [sub, id] = positionals
  // --option key=value, as the training panel's dataset settings: numbers and true/false are typed.
  const options: Record<string, unknown> = {}
  for (const kv of values.option ?? []) {
    const at = kv.indexOf('=')
    if (at < 1) throw new UsageError(`--option takes key=value, e.g. --option path=data.csv; got "${kv}".`)
    const raw = kv.slice(at + 1)
    options[kv.slice(0, at)] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw
  }
  const service = cliService()
  if (sub === 'list') {
    const list = await service.call('datasets.list', {})
    if (values.json) console.log(JSON.stringify(list, null, 2))
    else {
      // A header and columns as wide as their longest entry.
      const rows = [
        ['ID', 'TASK', 'SAMPLE', 'STATUS', 'NAME'],
        ...list.map((d) => [
          d.id,
          d.task,
          `[${d.sampleShape.join(', ')}]`,
          (d.source === 'keras'
            ? d.cached
              ? 'cached'
              : 'not downloaded'
            : d.builtIn
              ? 'built-in'
              : 'your data') + (d.loadable ? '' : ' (not trainable in this version)'),
          d.name,
        ]),
      ]
      const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
      for (const r of rows)
        console.log(r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]!))).join('  '))
    }
    return 0
  }
  if (sub !== 'prepare' || !id)
    throw new UsageError(`Use "datasets list" or "datasets prepare <id>".\n\n${usage}`)
  const info = (await service.call('datasets.list', {})).find((d) => d.id === id)
  if (!info) throw new UsageError(`Unknown dataset "${id}". Run "netwright datasets list" to see them.`)
  let last = 0
  service.subscribe((event, p) => {
    if (event !== 'datasets.progress') return
    const g = p as DatasetProgress
    if (values.json) console.log(JSON.stringify({ event: 'progress', ...g }))
    else if (Date.now() - last > 500 || g.bytes === g.total) {
      last = Date.now()
      console.error(
        `${g.file}: ${(g.bytes / 1e6).toFixed(1)} MB${g.percent === null ? '' : ` (${g.percent.toFixed(0)}%)`} at ${(g.bytesPerSec / 1e6).toFixed(1)} MB/s`,
      )
    }
  })
  try {
    const r = await service.call('datasets.prepare', { id })
    const summary: Record<string, unknown> = { id, files: r.files }
    if (info.loadable) {
      const p = await service.call('datasets.preview', { id, options, seed: 42 })
      Object.assign(summary, {
        task: p.task,
        samples: p.count,
        ...(p.testCount !== undefined ? { testSamples: p.testCount } : {}),
        sampleShape: p.sampleShape,
        classes: Object.fromEntries(p.classes.map((c, i) => [c, p.balance[i] ?? 0])),
      })
      if (p.target) summary.targets = p.target
      if (p.table?.taskReason) summary.taskReason = p.table.taskReason
    }
    if (values.json) console.log(JSON.stringify({ event: 'ready', ...summary }))
    else {
      console.log(`${info.name}: ready${r.files.length ? ` (${r.files.join(', ')})` : ''}`)
      if (summary.samples !== undefined) {
        console.log(
          `  ${summary.task}: ${summary.samples} training samples of shape [${(summary.sampleShape as number[]).join(', ')}]${summary.testSamples !== undefined ? `, ${summary.testSamples} held back for testing` : ''}`,
        )
        if (summary.taskReason) console.log(`  (${summary.taskReason as string})`)
        const t = summary.targets as { min: number; max: number; mean: number } | undefined
        if (t) console.log(`  targets: from ${t.min} to ${t.max}, mean ${t.mean.toFixed(2)}`)
        else
          console.log(
            `  class balance: ${Object.entries(summary.classes as Record<string, number>)
              .map(([c, n]) => `${c}: ${n}`)
              .join(', ')}`,
          )
      } else if (!info.loadable)
        console.log('  (downloaded and verified; this version cannot train on it yet)')
    }
    return 0
  } catch (e) {
    console.error((e as Error).message)
    return 1
  }
}
