// The hidden trainer window bundles the trainer's engine for Chromium: nothing it imports may reach a
// Node-only module (vite would stub it out with a warning, and the window would fail where it is
// used). Walks the import graph from the window's entry, following relative imports that are not
// type-only.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(__dirname, '../..')
const NODE_ONLY = /^(node:|fs$|path$|os$|child_process$|worker_threads$|v8$)/

function graph(entry: string): { files: string[]; nodeImports: string[] } {
  const seen = new Set<string>()
  const nodeImports: string[] = []
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      if (m[2]) continue
      const spec = m[3]!
      if (NODE_ONLY.test(spec)) nodeImports.push(`${relative(root, file)} imports ${spec}`)
      if (!spec.startsWith('.')) continue
      const base = join(dirname(file), spec)
      const next = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base].find(
        (p) => existsSync(p) && !p.endsWith('/'),
      )
      if (next && /\.tsx?$/.test(next)) visit(next)
    }
  }
  visit(entry)
  return { files: [...seen].map((f) => relative(root, f)), nodeImports }
}

describe("the hidden trainer window's code", () => {
  it('imports no Node-only module, the trainer engine and the fused layers included', () => {
    const { files, nodeImports } = graph(join(root, 'src/renderer/src/trainer-window.ts'))
    expect(files).toContain('src/main/trainer/engine.ts')
    expect(files).toContain('src/main/trainer/fused-layers.ts')
    expect(nodeImports).toEqual([])
  })
})
