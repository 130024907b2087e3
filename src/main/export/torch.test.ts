// The PyTorch script, run with a real PyTorch where one is installed (one Python for the file):
// for every template and every palette layer, the module builds, its trainable parameter count is
// ours plus the documented difference, and a forward pass gives our output shape.
// `npm run test:python` runs this file alone; without torch it says it skipped.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyze } from '../../shared/graph/analyze'
import { parseDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { templatesDir } from '../hosts/paths'
import { PythonSession, pythonWith, skipReason } from '../testing/python'
import { CASES, docFor } from '../trainer/layer-cases'
import { pytorchScript } from './pytorch'

const torchPython = pythonWith('torch')
if (!torchPython) console.warn(`PyTorch check skipped: ${skipReason(['torch'])}`)

/** Builds the exported module, counts its trainable parameters and runs a forward pass. */
const CHECK = `
import importlib.util, torch
spec = importlib.util.spec_from_file_location("exported_" + str(abs(hash(path))), path)
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
model = m.Model().eval()
n = sum(p.numel() for p in model.parameters() if p.requires_grad)
with torch.no_grad():
    out = model(*m.sample_inputs())
outs = out if isinstance(out, tuple) else (out,)
result = {"params": n, "shapes": [list(o.shape)[1:] for o in outs]}
`

let py: PythonSession

async function runTorch(doc: NetDocument) {
  const dir = mkdtempSync(join(tmpdir(), 'netwright-torch-'))
  const script = pytorchScript(doc)
  const path = join(dir, 'model_torch.py')
  writeFileSync(path, script.text)
  const got = await py.run<{ params: number; shapes: number[][] }>(CHECK, { path })
  const a = analyze(doc)
  return { got, script, want: a.outputs.map((o) => a.nodes[o]!.outputShape!.slice(1)), a }
}

const templates = (): [string, NetDocument][] =>
  readdirSync(templatesDir())
    .filter((f) => f.endsWith('.netwright.json'))
    .map((f) => [f, parseDocument(readFileSync(join(templatesDir(), f), 'utf8'), f)])

describe.skipIf(!torchPython)(`the PyTorch script (with ${torchPython ?? 'no torch: skipped'})`, () => {
  beforeAll(async () => {
    py = new PythonSession(torchPython!)
    await py.run('import torch')
  }, 120_000)
  afterAll(() => py?.close())

  it.each(templates())('%s: same parameter count as ours and the same output shape', async (_f, doc) => {
    const { got, script, want, a } = await runTorch(doc)
    expect(got.params).toBe(script.torchParams)
    // Equal to ours, but for the recurrent layers' second bias vector, which the script names.
    const rnnExtra = script.torchParams - a.trainableParams
    if (rnnExtra)
      expect(script.text).toContain(`second bias vector (bias_hh) that Keras's do not: +${rnnExtra}`)
    else expect(got.params).toBe(a.trainableParams)
    expect(got.shapes).toEqual(want)
  })

  it('a frozen layer is frozen in the module too (requires_grad False)', async () => {
    const doc = templates().find(([f]) => f === 'shapes-mlp.netwright.json')![1]
    doc.nodes.find((n) => n.name === 'dense')!.trainable = false
    const { got, script, a } = await runTorch(doc)
    expect(a.trainableParams).toBe(387)
    expect(got.params).toBe(a.trainableParams)
    expect(script.text).toContain('requires_grad_(False)')
  })

  it('a variable-length Input (None) builds and runs on a sample of length 8', async () => {
    const doc = templates().find(([f]) => f === 'imdb-lstm.netwright.json')![1]
    doc.nodes.find((n) => n.className === 'InputLayer')!.params.shape = [null] as never
    const { got, a } = await runTorch(doc)
    expect(got.shapes).toEqual([[1]])
    expect(a.problems).toEqual([])
  })

  it.each(CASES)(
    '%s: maps with our parameter count and output shape',
    async (_label, input, className, params, second) => {
      const doc = {
        ...docFor(input, className, params, false, second),
        style: second ? 'functional' : 'sequential',
      } as NetDocument
      const { got, script, want } = await runTorch(doc)
      expect(got.params).toBe(script.torchParams)
      expect(got.shapes).toEqual(want)
    },
  )
})
