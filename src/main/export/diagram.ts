// The diagram as the canvas shows it: each layer a box with its name, type, output shape and
// parameter count, connections as curves, at the positions the user placed them.
import { analyze } from '../../shared/graph/analyze'
import { NODE_WIDTH } from '../../shared/graph/layout'
import type { NetDocument } from '../../shared/graph/schema'
import { formatShape, layerSpec } from '../../shared/layers'
import { ServiceError } from '../service/errors'
import { xmlEscape } from './quote'

const BOX_H = 52
/** The longest side of an exported PNG, in pixels. */
export const MAX_PNG_SIDE = 8192
const PAD = 24
const CATEGORY_COLOR: Record<string, string> = {
  Convolution: '#d9730d',
  Pooling: '#1e8a44',
  Reshaping: '#6b7380',
  Activation: '#c2185b',
  Normalization: '#8e6bd1',
  Core: '#3b82c4',
  Recurrent: '#0f8a8a',
  Merge: '#a16207',
}
const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif'

const esc = xmlEscape

/** The model diagram as an SVG document. */
export function diagramSvg(doc: NetDocument): string {
  const a = analyze(doc)
  if (!doc.nodes.length) throw new ServiceError('bad-request', 'The model has no layers to draw.')
  const xs = doc.nodes.map((n) => n.position.x)
  const ys = doc.nodes.map((n) => n.position.y)
  const minX = Math.min(...xs) - PAD
  const minY = Math.min(...ys) - PAD - 44
  const width = Math.max(Math.max(...xs) + NODE_WIDTH + PAD - minX, 320)
  const height = Math.max(...ys) + BOX_H + PAD + 20 - minY
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const pos = new Map(doc.nodes.map((n) => [n.id, { x: n.position.x - minX, y: n.position.y - minY }]))
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<title>${esc(doc.name)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PAD}" y="${PAD}" font-size="14" font-weight="bold" fill="#1f2937">${esc(doc.name)}</text>`,
    `<text x="${PAD}" y="${PAD + 18}" font-size="11" fill="#6b7380">Total params: ${a.totalParams.toLocaleString('en-US')} · Trainable: ${a.trainableParams.toLocaleString('en-US')}</text>`,
  ]
  for (const e of doc.edges) {
    const s = pos.get(e.source)
    const t = pos.get(e.target)
    if (!s || !t) continue
    const x1 = s.x + NODE_WIDTH / 2
    const y1 = s.y + BOX_H
    const x2 = t.x + NODE_WIDTH / 2
    const y2 = t.y
    const dy = Math.max(30, Math.abs(y2 - y1) / 2)
    const shared = byId.get(e.target)?.sharedWith !== undefined
    out.push(
      `<path d="M ${x1} ${y1} C ${x1} ${y1 + dy}, ${x2} ${y2 - dy}, ${x2} ${y2}" fill="none" stroke="${shared ? '#8e6bd1' : '#94a3b8'}" stroke-width="1.5"/>`,
    )
  }
  for (const n of doc.nodes) {
    const p = pos.get(n.id)!
    const info = a.nodes[n.id]
    const spec = layerSpec(n.className)
    const color = CATEGORY_COLOR[spec?.category.split(' ')[0] ?? ''] ?? '#b8c2cf'
    const hasError = (info?.errors.length ?? 0) > 0
    const label = n.className === 'InputLayer' ? 'Input' : n.className
    const shape = info?.outputShape ? formatShape(info.outputShape) : '—'
    const params = n.sharedWith
      ? `shares ${byId.get(n.sharedWith)?.name ?? ''}`
      : `${(info?.params ?? 0).toLocaleString('en-US')} params`
    out.push(
      `<g transform="translate(${p.x} ${p.y})">`,
      `<rect width="${NODE_WIDTH}" height="${BOX_H}" rx="8" fill="${hasError ? '#fff7f6' : '#ffffff'}" stroke="${hasError ? '#c62828' : '#b8c2cf'}" stroke-width="1.5"${n.sharedWith ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<rect width="5" height="${BOX_H}" rx="2" fill="${color}"/>`,
      `<text x="14" y="20" font-size="13" font-weight="bold" fill="#1f2937">${esc(n.name)}</text>`,
      `<text x="${NODE_WIDTH - 10}" y="20" font-size="12" fill="#6b7380" text-anchor="end">${esc(label)}</text>`,
      `<text x="14" y="40" font-size="11" fill="#374151">${esc(shape)}</text>`,
      `<text x="${NODE_WIDTH - 10}" y="40" font-size="11" fill="#374151" text-anchor="end">${esc(params)}</text>`,
      '</g>',
    )
    if (hasError)
      out.push(
        `<text x="${p.x + 14}" y="${p.y + BOX_H + 14}" font-size="10" fill="#c62828">${esc(info!.errors[0]!.slice(0, 60))}</text>`,
      )
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/**
 * PNG from the SVG with resvg (a native part from npm, prebuilt per platform; twice the size for
 * sharp text). Where it cannot load, PNG export says so and SVG still works.
 */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg
  try {
    ;({ Resvg } = await import('@resvg/resvg-js'))
  } catch (e) {
    throw new ServiceError(
      'unavailable',
      `PNG export needs @resvg/resvg-js, which could not load here (${(e as Error).message.split('\n')[0]}). Export as SVG instead.`,
    )
  }
  // Twice the size, unless that would be a picture larger than MAX_PNG_SIDE on a side (layers placed
  // very far apart): then as large as fits, so a hostile document cannot make a gigapixel image.
  const size = /<svg[^>]* width="([\d.e+]+)" height="([\d.e+]+)"/.exec(svg)
  const side = size ? Math.max(Number(size[1]), Number(size[2])) : 0
  const zoom = side > 0 ? Math.min(2, MAX_PNG_SIDE / side) : 2
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  })
  return new Uint8Array(r.render().asPng())
}
