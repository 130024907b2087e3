// Hostile names in every generated file: a project, layer or class name stays data in the Python
// and PyTorch scripts, the SVG and the Keras JSON; nothing in it runs or becomes markup.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { NetDocument } from '../../shared/graph/schema'
import { shapesDoc, twoOutputsDoc } from '../../shared/testing'
import { diagramSvg, svgToPng } from './diagram'
import { kerasModelJson } from './keras-json'
import { pythonScript } from './python'
import { pytorchScript } from './pytorch'
import { HOSTILE_STRINGS as HOSTILE } from '../fuzz/hostile-strings'
import { pyEscape, pyStr, xmlEscape } from './quote'

/** The default project, Functional with a second output, with every name hostile. */
function hostileDoc(h: string, k = 0): NetDocument {
  const doc = twoOutputsDoc()
  doc.name = h
  doc.nodes.forEach((n, i) => (n.name = `${h}${k}_${i}`))
  doc.compile.outputs = undefined
  return doc
}

const python = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import ast'], { stdio: 'ignore' }).status === 0,
)

describe('the quoting functions', () => {
  it('give Python a literal that holds the string exactly, on one line', () => {
    for (const h of HOSTILE) {
      expect(pyStr(h)).not.toMatch(/[\n\r\u2028\u2029\u202e]/)
      expect(pyEscape(h)).not.toMatch(/(^|[^\\])(\\\\)*"/)
    }
  })

  it('give XML text with no markup and no character XML cannot hold', () => {
    for (const h of HOSTILE) {
      const x = xmlEscape(h)
      expect(x).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|#39);)/)
      // eslint-disable-next-line no-control-regex -- the characters XML 1.0 cannot hold are controls
      expect(x).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff]/u)
    }
  })
})

if (!python)
  console.warn('Hostile-name checks with Python skipped: no python3 here (they need only its ast module).')

describe.skipIf(!python)('hostile names in the Python and PyTorch scripts (checked by Python itself)', () => {
  it('stay data: each script parses, its docstring and names hold them exactly, and nothing runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-quote-'))
    const cases = HOSTILE.map((h, k) => {
      const doc = hostileDoc(h, k)
      const py = join(dir, `train_${k}.py`)
      const classes = `classes: ${h}, b`
      writeFileSync(
        py,
        pythonScript(doc, { kind: 'npz', file: `d${k}.npz`, description: classes }, `t${k}.py`),
      )
      const torch = join(dir, `torch_${k}.py`)
      writeFileSync(torch, pytorchScript(doc).text)
      return { h, k, py, torch, layers: doc.nodes.map((n) => n.name), classes }
    })
    // One Python for every case: parse each file and report what its strings hold.
    const check = `
import ast, json, sys
out = []
for py, torch in json.load(sys.stdin):
    r = {}
    for key, path in (("py", py), ("torch", torch)):
        src = open(path, encoding="utf-8").read()
        tree = ast.parse(src)
        r[key + "_doc"] = ast.get_docstring(tree, clean=False)
        r[key + "_strings"] = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        r[key + "_calls"] = sorted({n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)})
        r[key + "_top"] = [type(n).__name__ for n in tree.body]
    out.append(r)
json.dump(out, sys.stdout)
`
    const run = spawnSync(python!, ['-c', check], {
      input: JSON.stringify(cases.map((c) => [c.py, c.torch])),
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    const results = JSON.parse(run.stdout) as Record<string, unknown>[]
    const expectedTop = (r: Record<string, unknown>, key: string) => r[`${key}_top`] as string[]
    const first = results[0]!
    cases.forEach((c, i) => {
      const r = results[i]!
      // Python reads the name back exactly as it was given (lone surrogates as their escapes).
      expect(String(r.py_doc).startsWith(`\n${c.h}: exported from Netwright`), c.h).toBe(true)
      expect(String(r.torch_doc).startsWith(`\n${c.h}: a PyTorch nn.Module`), c.h).toBe(true)
      for (const name of c.layers) expect(r.py_strings as string[]).toContain(name)
      expect(r.py_strings as string[]).toContain(c.classes)
      // The same statements at the top level and the same functions called, whatever the names.
      expect(expectedTop(r, 'py')).toEqual(expectedTop(first, 'py'))
      expect(expectedTop(r, 'torch')).toEqual(expectedTop(first, 'torch'))
      expect(r.py_calls).not.toContain('open')
      expect(r.torch_calls).not.toContain('open')
    })
    expect(existsSync(join(dir, 'PWNED'))).toBe(false)
  })

  it('a layer named like the script’s own variables does not replace them', () => {
    const doc = shapesDoc()
    doc.style = 'functional'
    const names = ['keras', 'layers', 'forward', 'training']
    doc.nodes.forEach((n, i) => (n.name = names[i]!))
    const py = pythonScript(doc, { kind: 'keras', id: 'mnist', options: {} })
    expect(py).toMatch(/keras_2 = keras\.Input\(/)
    expect(py).toMatch(/layers_2 = layers\.Flatten\(name="layers"\)\(keras_2\)/)
    expect(py).not.toMatch(/^\s+layers = /m)
    const torch = pytorchScript(doc).text
    expect(torch).toMatch(/self\.forward_2 = nn\.Linear/)
    expect(torch).toMatch(/self\.training_2 = nn\.Linear/)
  })
})

describe('hostile names in the SVG and the Keras JSON', () => {
  it('the SVG is well-formed XML whose text is the names, escaped', async () => {
    for (const h of HOSTILE) {
      const svg = diagramSvg(hostileDoc(h))
      expect(svg).not.toContain('<script')
      expect(svg).not.toMatch(/\sonload=["']/)
      expect(svg.match(/<text /g)!.length).toBe(2 + 5 * 4)
      // resvg parses XML strictly: a name that broke the markup would fail here.
      expect((await svgToPng(svg)).length).toBeGreaterThan(100)
    }
  })

  it('the Keras JSON parses back to exactly the names given', () => {
    for (const h of HOSTILE) {
      const doc = hostileDoc(h)
      const parsed = JSON.parse(kerasModelJson(doc)) as { config: { layers: { config: { name: string } }[] } }
      // Lone surrogates travel as \\u escapes and come back as they were.
      expect(parsed.config.layers.map((l) => l.config.name).sort()).toEqual(
        doc.nodes.map((n) => n.name).sort(),
      )
    }
  })
})

describe('the PWNED docstring from the report', () => {
  it.skipIf(!python)('does not write a file when the exported script runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-pwned-'))
    const doc = shapesDoc()
    doc.name = HOSTILE[0]!
    const script = join(dir, 'train.py')
    writeFileSync(script, pythonScript(doc, { kind: 'keras', id: 'mnist', options: {} }))
    const standin = fileURLToPath(new URL('./fixtures/keras-standin', import.meta.url))
    // The stand-in needs numpy; without it the script stops at the import, still before any PWNED.
    spawnSync(python!, [script], { cwd: dir, env: { ...process.env, PYTHONPATH: standin } })
    expect(existsSync(join(dir, 'PWNED'))).toBe(false)
    expect(readFileSync(script, 'utf8')).toContain('x\\"\\"\\"\\x0aopen(\\"PWNED\\"')
  })
})
