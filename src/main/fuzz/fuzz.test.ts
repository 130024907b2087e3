// A bounded fuzz run in every `npm test` (fast-check shrinks any failure to a small case); the long
// run is `npm run fuzz`. See harness.ts for what counts as a crash.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerHost } from '../hosts/server'
import type { Target } from '../hosts/attacks'
import {
  fuzzHost,
  fuzzService,
  modelJsonBases,
  buildPayload,
  payloadArb,
  templateDocs,
  tryDocument,
  tryModelFile,
  tryPayload,
  tryWire,
  wireArb,
  type Verdict,
} from './harness'
import { binaryRecipeArb, buildBinary, kerasFileBases, tryKerasFile } from './keras-files'
import { build, recipeArb } from './mutate'

const RUNS = Number(process.env.NETWRIGHT_FUZZ_RUNS ?? 60)
const { service, workspace } = fuzzService()
const docs = templateDocs()
const models = modelJsonBases()
let host: ServerHost
let target: Target
const unhandled: unknown[] = []
const onUnhandled = (e: unknown) => unhandled.push(e)

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  ;({ host, target } = await fuzzHost(service))
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await host.close()
})

const noCrash = (vs: Verdict[]) => {
  for (const v of vs) if (v.kind === 'crash') throw new Error(v.why)
}

describe('fuzzing (fast-check)', () => {
  it(`${RUNS} documents: checked, saved, exported and opened, each answered or refused in a sentence`, async () => {
    let k = 0
    await fc.assert(
      fc.asyncProperty(recipeArb(docs.length), async (r) =>
        noCrash(await tryDocument(service, workspace, build(docs, r), k++)),
      ),
      { numRuns: RUNS },
    )
    expect(unhandled).toEqual([])
  })

  it(`${RUNS} Keras and TensorFlow.js model files open or are refused in a sentence`, async () => {
    let k = 0
    await fc.assert(
      fc.asyncProperty(recipeArb(models.length), async (r) =>
        noCrash([await tryModelFile(service, workspace, build(models, r), k++)]),
      ),
      { numRuns: RUNS },
    )
  })

  // Half as many: each opens an HDF5 file (~0.5 s); `npm run fuzz` tries 1,000.
  it(`${Math.ceil(RUNS / 2)} damaged .keras and .h5 files open or are refused in a sentence`, async () => {
    const bases = await kerasFileBases()
    await fc.assert(
      fc.asyncProperty(binaryRecipeArb(bases.length), async (r) =>
        noCrash([await tryKerasFile(service, workspace, buildBinary(bases, r))]),
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    )
  })

  it(`${RUNS} IPC payloads are answered or refused in a sentence`, async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, async (r) =>
        noCrash([await tryPayload(service, buildPayload(docs[0]!, r))]),
      ),
      { numRuns: RUNS },
    )
    expect(unhandled).toEqual([])
  })

  it(`${Math.ceil(RUNS / 2)} WebSocket frame sequences and raw requests leave the host serving`, async () => {
    await fc.assert(
      fc.asyncProperty(wireArb, async (w) => noCrash([await tryWire(target, w)])),
      { numRuns: Math.ceil(RUNS / 2) },
    )
    expect(unhandled).toEqual([])
  })
})
