import { describe, expect, it } from 'vitest'
import { shapesDoc } from '../testing'
import { DocumentError, migrate, parseDocument, serializeDocument, validateDocument } from './load'

describe('loading a document', () => {
  it('round-trips through its saved text', () => {
    const doc = shapesDoc()
    expect(parseDocument(serializeDocument(doc))).toEqual(doc)
  })

  it('says a truncated file is truncated', () => {
    const text = serializeDocument(shapesDoc())
    expect(() => parseDocument(text.slice(0, text.length / 2), 'model.json')).toThrow(
      /model.json ends too early: it looks truncated/,
    )
  })

  it('refuses what is not a Netwright project, saying why', () => {
    expect(() => parseDocument('[1,2]')).toThrow(DocumentError)
    expect(() => parseDocument('{"format":"keras"}')).toThrow(/not a Netwright project/)
    expect(() => parseDocument('not json')).toThrow(/not valid JSON/)
  })

  it('names the field at fault', () => {
    const doc = { ...shapesDoc(), edges: 'none' }
    expect(() => validateDocument(doc)).toThrow(/edges: /)
    const bad = shapesDoc() as unknown as { training: { epochs: unknown } }
    bad.training.epochs = 'ten'
    expect(() => validateDocument(bad)).toThrow(/training\.epochs/)
  })

  it('refuses a file from a newer Netwright with advice', () => {
    expect(() => validateDocument({ ...shapesDoc(), version: 7 })).toThrow(
      /newer Netwright \(format version 7/,
    )
  })

  it('migrates the version-0 layout step by step', () => {
    const { nodes, edges, ...rest } = shapesDoc()
    const v0 = { ...rest, version: 0, model: { layers: nodes, links: edges } }
    expect(validateDocument(v0)).toEqual(shapesDoc())
  })

  it('runs migrations in order', () => {
    const seen: number[] = []
    const out = migrate(
      { version: -1 },
      {
        [-1]: (d) => (seen.push(-1), { ...d, version: 0 }),
        0: (d) => (seen.push(0), { ...d, version: 1 }),
      },
    )
    expect(seen).toEqual([-1, 0])
    expect(out.version).toBe(1)
  })
})
