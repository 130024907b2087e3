/** The modules the kernels-wasm.ts constants hold. */
export const MODULES: Record<
  string,
  { wat: string; parts?: string[]; features: Record<string, boolean>; shared?: boolean }
>
/** Each module's bytes, base64, assembled from its WebAssembly text. */
export function assemble(): Promise<Record<string, string>>
/** kernels-wasm.ts's text for those bytes. */
export function source(bytes: Record<string, string>): string
