import type { WireError } from '../../shared/ipc/contract'
import { DocumentError } from '../../shared/graph/load'
import { ModelInvalidError } from '../../shared/keras/config'

/** An error a handler means the user to read. */
export class ServiceError extends Error {
  override name = 'ServiceError'
  constructor(
    readonly code: WireError['code'],
    message: string,
  ) {
    super(message)
  }
}

/** Turns anything a handler threw into what crosses the wire. Unexpected errors keep their message. */
export function toWireError(err: unknown): WireError {
  if (err instanceof ServiceError) return { code: err.code, message: err.message }
  if (err instanceof DocumentError) return { code: 'invalid-document', message: err.message }
  if (err instanceof ModelInvalidError) return { code: 'invalid-model', message: err.message }
  // The dataset readers' errors (named, not imported: the readers import this module) say what is
  // wrong with a file or a setting, in words.
  const name = (err as Error)?.name
  if (name === 'DatasetFileError') return { code: 'bad-request', message: (err as Error).message }
  if (name === 'DatasetUnavailableError') return { code: 'unavailable', message: (err as Error).message }
  return { code: 'internal', message: (err as Error)?.message ?? String(err) }
}
