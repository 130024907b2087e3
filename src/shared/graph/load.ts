import { z } from 'zod'
import { FILE_BOUNDS, jsonOutOfBounds } from '../json-limits'
import { CURRENT_VERSION, DocumentSchema, type NetDocument } from './schema'

/** A document that cannot be opened, with a message fit for the user. */
export class DocumentError extends Error {
  override name = 'DocumentError'
}

type Json = Record<string, unknown>
/** Ordered migrations: MIGRATIONS[v] turns a version-v document into version v+1. */
export type Migration = (doc: Json) => Json

/**
 * Version 0 was the pre-release layout, where the graph sat under `model: { layers, links }`.
 * Kept so that early files still open; it is also the example of how a migration looks.
 */
export const MIGRATIONS: Record<number, Migration> = {
  0: (doc) => {
    const model = (doc.model ?? {}) as { layers?: unknown[]; links?: unknown[] }
    const { model: _m, ...rest } = doc
    return { ...rest, version: 1, nodes: model.layers ?? [], edges: model.links ?? [] }
  },
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : 'the document'
  return `${where}: ${issue.message}`
}

/** Brings an older document up to the current version, step by step. */
export function migrate(raw: Json, migrations: Record<number, Migration> = MIGRATIONS): Json {
  let doc = raw
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version))
    throw new DocumentError('This file has no valid "version" field, so it is not a Netwright project.')
  let version: number = doc.version
  if (version > CURRENT_VERSION)
    throw new DocumentError(
      `This project was saved by a newer Netwright (format version ${version}; this one reads up to ${CURRENT_VERSION}). Update Netwright to open it.`,
    )
  while (version < CURRENT_VERSION) {
    const step = migrations[version]
    if (!step) throw new DocumentError(`No migration from format version ${version}.`)
    doc = step(doc)
    version = doc.version as number
  }
  return doc
}

/**
 * Parses, migrates and validates a project file's text. Structural problems (not JSON, truncated,
 * wrong field types) throw a DocumentError; graph problems (cycles, unknown layers, bad parameter
 * values) are left for `analyze`, so the user can open the file and fix them on the canvas.
 */
export function parseDocument(text: string, source = 'The file'): NetDocument {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    const pos = /position (\d+)/.exec(String(e))
    const atEnd = pos !== null && Number(pos[1]) >= text.trimEnd().length - 1
    const truncated = atEnd || /end of (JSON )?input|Unterminated/i.test(String(e))
    throw new DocumentError(
      truncated
        ? `${source} ends too early: it looks truncated (the JSON is incomplete), so it cannot be opened.`
        : `${source} is not valid JSON: ${(e as Error).message}`,
    )
  }
  return validateDocument(raw, source)
}

/** The most layers and connections a project may have: far beyond any model drawn by hand. */
export const MAX_LAYERS = 10_000
export const MAX_CONNECTIONS = 40_000

/** Refuses a document too large or too deeply nested to work with, before anything walks it. */
function checkSize(raw: Json, source: string): void {
  const count = (v: unknown) => (Array.isArray(v) ? v.length : 0)
  const model = (raw.model ?? {}) as Json
  const layers = Math.max(count(raw.nodes), count(model.layers))
  const links = Math.max(count(raw.edges), count(model.links))
  if (layers > MAX_LAYERS || links > MAX_CONNECTIONS)
    throw new DocumentError(
      `${source} is too large: it has ${layers.toLocaleString('en-US')} layers and ${links.toLocaleString('en-US')} connections, and Netwright works with up to ${MAX_LAYERS.toLocaleString('en-US')} layers and ${MAX_CONNECTIONS.toLocaleString('en-US')} connections.`,
    )
  const why = jsonOutOfBounds(raw, FILE_BOUNDS)
  if (why) throw new DocumentError(`${source} cannot be opened: ${why}.`)
}

/** Validates an already-parsed value as a document (after migrating it). */
export function validateDocument(raw: unknown, source = 'The document'): NetDocument {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new DocumentError(`${source} is not a Netwright project (expected a JSON object).`)
  if ((raw as Json).format !== 'netwright')
    throw new DocumentError(`${source} is not a Netwright project (its "format" is not "netwright").`)
  checkSize(raw as Json, source)
  const migrated = migrate(raw as Json)
  const result = DocumentSchema.safeParse(migrated)
  if (!result.success) {
    const lines = result.error.issues.slice(0, 5).map(describeIssue)
    throw new DocumentError(`${source} is not a valid Netwright project:\n- ${lines.join('\n- ')}`)
  }
  return result.data
}

/** Serializes a document the way it is saved: stable, indented JSON. */
export const serializeDocument = (doc: NetDocument): string => JSON.stringify(doc, null, 2) + '\n'
