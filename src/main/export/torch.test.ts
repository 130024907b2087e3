// The PyTorch script, run with a real PyTorch where one is installed (Debian's python3-torch):
// for every template and every palette layer, the module builds, its trainable parameter count is
// ours plus the documented difference, and a forward pass gives our output shape.
// `npm run test:python` runs this file alone; without torch it says it skipped.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyze } from '../../shared/graph/analyze'
import { parseDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { templatesDir } from '../hosts/paths'
import { CASES, docFor } from '../trainer/layer-cases'
import { pytorchScript } from './pytorch'

const torchPython = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
)
if (!torchPython)
  console.warn('PyTorch check skipped: no python3 here can import torch (apt-get install python3-torch).')

const DRIVER = `
import importlib.util, json, sys, torch
spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
model = m.Model().eval()
n = sum(p.numel() for p in model.parameters() if p.requires_grad)
with torch.no_grad():
    out = model(*m.sample_inputs())
outs = out if isinstance(out, tuple) else (out,)
print(json.dumps({"params": n, "shapes": [list(o.shape)[1:] for o in outs]}))
`

function runTorch(doc: NetDocument) {
  const dir = mkdtempSync(join(tmpdir(), 'netwright-torch-'))
  const script = pytorchScript(doc)
  writeFileSync(join(dir, 'model_torch.py'), script.text)
  writeFileSync(join(dir, 'driver.py'), DRIVER)
  const r = spawnSync(torchPython!, [join(dir, 'driver.py'), join(dir, 'model_torch.py')], {
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`${doc.name}: ${r.stderr}`)
  const got = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { params: number; shapes: number[][] }
  const a = analyze(doc)
  return { got, script, want: a.outputs.map((o) => a.nodes[o]!.outputShape!.slice(1)), a }
}

const templates = (): [string, NetDocument][] =>
  readdirSync(templatesDir())
    .filter((f) => f.endsWith('.netwright.json'))
    .map((f) => [f, parseDocument(readFileSync(join(templatesDir(), f), 'utf8'), f)])

describe.skipIf(!torchPython)(`the PyTorch script (with ${torchPython ?? 'no torch: skipped'})`, () => {
  it.each(templates())('%s: same parameter count as ours and the same output shape', (_f, doc) => {
    const { got, script, want, a } = runTorch(doc)
    expect(got.params).toBe(script.torchParams)
    // Equal to ours, but for the recurrent layers' second bias vector, which the script names.
    const rnnExtra = script.torchParams - a.trainableParams
    if (rnnExtra)
      expect(script.text).toContain(`second bias vector (bias_hh) that Keras's do not: +${rnnExtra}`)
    else expect(got.params).toBe(a.trainableParams)
    expect(got.shapes).toEqual(want)
  })

  it.each(CASES)(
    '%s: maps with our parameter count and output shape',
    (_label, input, className, params, second) => {
      const doc = {
        ...docFor(input, className, params, false, second),
        style: second ? 'functional' : 'sequential',
      } as NetDocument
      const { got, script, want } = runTorch(doc)
      expect(got.params).toBe(script.torchParams)
      expect(got.shapes).toEqual(want)
    },
  )
})
