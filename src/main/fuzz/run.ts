// `npm run fuzz`: the long fuzz run. 10,000 documents (each checked, saved, exported and opened as a
// file), 10,000 IPC payloads, and model files and WebSocket/HTTP wire cases on top, against one
// browser-host service and a running host. Prints what happened to each kind of input; exits 1 on any
// crash (see harness.ts), printing the recipe that makes it (replay it with NETWRIGHT_FUZZ_SEED).
import fc from 'fast-check'
import { binaryRecipeArb, buildBinary, kerasFileBases, tryKerasFile } from './keras-files'
import {
  buildPayload,
  fuzzHost,
  fuzzService,
  modelJsonBases,
  payloadArb,
  templateDocs,
  tryDocument,
  tryModelFile,
  tryPayload,
  tryWire,
  wireArb,
  type Verdict,
} from './harness'
import { killDuringSave } from './kill9'
import { build, recipeArb } from './mutate'

const n = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const COUNTS = {
  documents: n('NETWRIGHT_FUZZ_DOCUMENTS', 10_000),
  payloads: n('NETWRIGHT_FUZZ_PAYLOADS', 10_000),
  models: n('NETWRIGHT_FUZZ_MODELS', 2_000),
  kerasFiles: n('NETWRIGHT_FUZZ_KERAS_FILES', 1_000),
  wire: n('NETWRIGHT_FUZZ_WIRE', 10_000),
}
const seed = n('NETWRIGHT_FUZZ_SEED', Date.now() % 2 ** 31)

interface Tally {
  tried: number
  answered: number
  refused: number
  crashes: { why: string; recipe: unknown }[]
  samples: string[]
}
const tally = (): Tally => ({ tried: 0, answered: 0, refused: 0, crashes: [], samples: [] })

function count(t: Tally, vs: Verdict[], recipe: unknown): void {
  t.tried++
  const crash = vs.find((v) => v.kind === 'crash')
  if (crash && crash.kind === 'crash') t.crashes.push({ why: crash.why, recipe })
  else if (vs.some((v) => v.kind === 'refused')) {
    t.refused++
    const r = vs.find((v) => v.kind === 'refused')
    if (r?.kind === 'refused' && t.samples.length < 3 && Math.random() < 0.01) t.samples.push(r.message)
  } else t.answered++
}

/** Runs `cases` through `one`, `parallel` at a time, with a progress line. */
async function each<T>(label: string, cases: T[], parallel: number, one: (c: T, k: number) => Promise<void>) {
  let next = 0
  let done = 0
  const started = performance.now()
  const worker = async () => {
    while (next < cases.length) {
      const k = next++
      await one(cases[k]!, k)
      if (++done % 1000 === 0)
        process.stderr.write(
          `  ${label}: ${done}/${cases.length} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
        )
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

async function main(): Promise<number> {
  console.log(`Netwright fuzz run, seed ${seed} (NETWRIGHT_FUZZ_SEED=${seed} replays it)`)
  const unhandled: string[] = []
  process.on('unhandledRejection', (e) => unhandled.push(String((e as Error)?.stack ?? e)))
  process.on('uncaughtException', (e) => unhandled.push(String(e?.stack ?? e)))
  const { service, workspace } = fuzzService()
  const docs = templateDocs()
  const models = modelJsonBases()
  const { host, target } = await fuzzHost(service)
  const results: Record<keyof typeof COUNTS, Tally> = {
    documents: tally(),
    payloads: tally(),
    models: tally(),
    kerasFiles: tally(),
    wire: tally(),
  }
  const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number, offset: number) =>
    fc.sample(arb, { numRuns, seed: seed + offset })

  await each('documents', sample(recipeArb(docs.length), COUNTS.documents, 1), 1, async (r, k) =>
    count(results.documents, await tryDocument(service, workspace, build(docs, r), k), r),
  )
  await each('model files', sample(recipeArb(models.length), COUNTS.models, 2), 1, async (r, k) =>
    count(results.models, [await tryModelFile(service, workspace, build(models, r), k)], r),
  )
  const kerasBases = await kerasFileBases()
  await each(
    '.keras/.h5 files',
    sample(binaryRecipeArb(kerasBases.length), COUNTS.kerasFiles, 5),
    1,
    async (r, k) =>
      count(results.kerasFiles, [await tryKerasFile(service, workspace, buildBinary(kerasBases, r))], {
        k,
        ...r,
      }),
  )
  await each('payloads', sample(payloadArb, COUNTS.payloads, 3), 1, async (r) =>
    count(results.payloads, [await tryPayload(service, buildPayload(docs[0]!, r))], r),
  )
  await each('wire', sample(wireArb, COUNTS.wire, 4), 8, async (w) =>
    count(results.wire, [await tryWire(target, w)], w),
  )
  await host.close()
  service.shutdown()
  const kills = n('NETWRIGHT_FUZZ_KILLS', 50)
  process.stderr.write(`  kill -9 during save: ${kills} kills\n`)
  const k9 = await killDuringSave(kills)

  const rows = [
    ['documents (check, save, export, open)', results.documents],
    ['Keras / tfjs model files', results.models],
    ['.keras / .h5 files (bytes damaged)', results.kerasFiles],
    ['IPC payloads', results.payloads],
    ['WebSocket frames and HTTP requests', results.wire],
  ] as const
  console.log('')
  console.log('input                                    tried  answered   refused   crashes')
  for (const [name, t] of rows)
    console.log(
      `${name.padEnd(38)} ${String(t.tried).padStart(7)} ${String(t.answered).padStart(9)} ${String(t.refused).padStart(9)} ${String(t.crashes.length).padStart(9)}`,
    )
  console.log(
    `kill -9 during a 20 MB save, ${kills} times: old project kept ${k9.keptOld}, new one ${k9.keptNew}, broken ${k9.broken}; temporary files ${k9.litterBefore} before the next start, ${k9.litterAfter} after`,
  )
  console.log(`unhandled errors in the process: ${unhandled.length}`)
  for (const [name, t] of rows)
    for (const m of t.samples)
      console.log(`  a refusal (${name.split(' ')[0]}): ${m.split('\n')[0]!.slice(0, 150)}`)
  const crashes = rows.flatMap(([name, t]) => t.crashes.map((c) => ({ name, ...c })))
  for (const c of crashes.slice(0, 10))
    console.log(`CRASH (${c.name}): ${c.why}\n  recipe: ${JSON.stringify(c.recipe).slice(0, 2000)}`)
  for (const u of unhandled.slice(0, 5)) console.log(`UNHANDLED: ${u.slice(0, 2000)}`)
  const total = crashes.length + unhandled.length + k9.broken + k9.litterAfter
  console.log(total ? `${total} crashes.` : '0 crashes: every input was answered or refused in a sentence.')
  return total ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
