// Fuzzing Keras's binary files (.keras zips and .h5): the bases are .keras files of templates with
// their weights, stored and deflated; a case flips, zeroes, inserts or cuts bytes, or mutates the
// config.json inside and zips it again. Each is opened through the service.
import { unzipSync, zipSync, strFromU8, strToU8 } from 'fflate'
import fc from 'fast-check'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { toKerasConfig } from '../../shared/keras/config'
import { writeKerasFile } from '../export/keras-file'
import { kerasModelJson } from '../export/keras-json'
import { artifactsOf, runLayerWeights, tfjs } from '../export/keras-weights'
import type { Service } from '../service'
import { judge, templateDocs, type Verdict } from './harness'
import { mutate, mutationArb, type Mutation } from './mutate'

/** Each of a few templates as a .keras file, deflated and stored (so byte flips reach the HDF5 inside). */
export async function kerasFileBases(): Promise<Uint8Array[]> {
  const tf = await tfjs()
  const out: Uint8Array[] = []
  for (const doc of templateDocs()
    .filter((d) => /Shapes|residual|LSTM/i.test(d.name))
    .slice(0, 3)) {
    const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc) as never })
    const files = await artifactsOf(tf, model)
    model.dispose()
    const bytes = await writeKerasFile(
      kerasModelJson(doc),
      'fuzz',
      await runLayerWeights(toKerasConfig(doc), files, 'fuzz'),
    )
    out.push(bytes, zipSync(unzipSync(bytes), { level: 0 }))
  }
  return out
}

export type ByteMutation =
  | { kind: 'flip' | 'zero'; at: number; len: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'config'; ms: Mutation[] }

export const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('flip' as const, 'zero' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 64 }),
    byte: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('config' as const),
    ms: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
  }),
)

export type BinaryRecipe = { base: number; ms: ByteMutation[] }
export const binaryRecipeArb = (bases: number): fc.Arbitrary<BinaryRecipe> =>
  fc.record({
    base: fc.nat({ max: bases - 1 }),
    ms: fc.array(byteMutationArb, { minLength: 1, maxLength: 4 }),
  })

/** A base with the recipe's mutations applied, in order. */
export function buildBinary(bases: Uint8Array[], r: BinaryRecipe): Uint8Array {
  let b = bases[r.base]!
  for (const m of r.ms) {
    const at = b.length ? (m.kind === 'config' ? 0 : (m as { at: number }).at % b.length) : 0
    if (m.kind === 'flip' || m.kind === 'zero') {
      b = b.slice()
      for (let i = at; i < Math.min(b.length, at + m.len); i++) b[i] = m.kind === 'zero' ? 0 : b[i]! ^ m.byte
    } else if (m.kind === 'cut') b = b.slice(0, at)
    else if (m.kind === 'insert') b = new Uint8Array([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)])
    else if (m.kind === 'config') {
      try {
        const files = unzipSync(b)
        const config = JSON.parse(strFromU8(files['config.json']!)) as unknown
        files['config.json'] = strToU8(JSON.stringify(mutate(config, m.ms)))
        b = zipSync(files, { level: 0 })
      } catch {
        /* already damaged past unzipping: the bytes stay as they are */
      }
    }
  }
  return b
}

/** A .keras (or, when it starts as HDF5 does, .h5) file written into the workspace and opened. */
export async function tryKerasFile(s: Service, workspace: string, bytes: Uint8Array): Promise<Verdict> {
  const name = bytes[0] === 0x89 ? 'model.h5' : 'model.keras'
  writeFileSync(join(workspace, 'models', name), bytes)
  return judge(() => s.dispatch('project.open', { path: `models/${name}` }))
}
