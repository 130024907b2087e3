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
  return { code: 'internal', message: (err as Error)?.message ?? String(err) }
}
