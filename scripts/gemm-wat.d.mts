/** Rows of a interleaved in one packed block (the tile's height). */
export const ROWS: number
/** The k block: packA's scratch holds M rows of KC floats. */
export const KC: number
/** The gemm module's WebAssembly text. */
export function gemmWat(): string
