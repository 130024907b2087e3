// One quoting function per format we generate. A user's string (a project, layer, class or column
// name, a path, a dataset option) enters a generated file only through these, so it is always data
// there, never code or markup: it cannot end a Python string or docstring, start a line of its own,
// close an XML element, or hide code behind bidirectional-text controls ("Trojan Source").

/**
 * Characters no generated file carries as they are: C0 and C1 controls (newlines among them), the
 * Unicode line and paragraph separators, bidirectional embeddings, overrides and isolates, the BOM,
 * and lone surrogates (which no UTF-8 file can hold).
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0')

/**
 * The body of a Python string literal for `s`, without its quotes: backslashes and both quote
 * characters escaped, unsafe characters as \xNN or \uNNNN escapes. It is safe between "…", '…',
 * and inside a """docstring""" or a # comment (it never holds a line break).
 */
export function pyEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/'/g, "\\'")
    .replace(UNSAFE, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`))
}

/** A Python string literal: "…". */
export const pyStr = (s: string): string => `"${pyEscape(s)}"`

/** Text for an XML (SVG) text node or attribute value: markup escaped, characters XML cannot hold replaced. */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\t\n\r]/g, ' ')
    .replace(UNSAFE, '\ufffd')
    .replace(/[\ufffe\uffff]/g, '\ufffd')
}

/** A JSON string (Keras JSON, model.json, run.json): JSON.stringify escapes quotes, controls and lone surrogates. */
export const jsonStr = (s: string): string => JSON.stringify(s)

/** A user's string printed on a terminal (the CLI): no escape sequences, no line breaks of its own. */
export const termSafe = (s: string): string => s.replace(UNSAFE, (c) => (c === '\n' ? ' ' : '\ufffd'))

/**
 * JSON.stringify output (indented or not) made safe for a terminal without changing its data: the characters
 * JSON.stringify leaves raw (C1 controls, separators, bidirectional controls) become \u escapes;
 * its indentation's line breaks stay.
 */
export const jsonLineSafe = (json: string): string =>
  json.replace(UNSAFE, (c) => (c === '\n' ? c : `\\u${hex(c, 4)}`))

/** A JSON value as a Python literal. */
export function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'float("inf")' : 'float("-inf")'
  if (typeof v === 'string') return pyStr(v)
  if (Array.isArray(v)) return `[${v.map(pyValue).join(', ')}]`
  if (typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyStr(k)}: ${pyValue(x)}`)
      .join(', ')}}`
  return pyStr(String(v))
}
