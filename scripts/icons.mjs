#!/usr/bin/env node
// The installers' icons from one SVG (resources/icon.svg): a PNG of each size (the Linux icon
// folder, 16x16.png … 1024x1024.png, and icon.png), Windows' icon.ico and macOS's icon.icns, in
// build/icons (electron-builder.ts points there). `npm run dist` runs it first; `node
// scripts/icons.mjs [svg] [folder]` runs it alone. Rendered by resvg (already the app's SVG
// renderer), packed by png-to-ico and @fiahfy/icns.
import { Icns, IcnsImage } from '@fiahfy/icns'
import { Resvg } from '@resvg/resvg-js'
import { Buffer } from 'node:buffer'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pngToIco from 'png-to-ico'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Every PNG size made; the Linux desktop picks from these. */
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
/** The sizes inside icon.ico (Windows uses 256 at most). */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
/** icon.icns's entries: Apple's PNG icon types and the pixel size each holds. */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32], // 16 pt @2x
  ['icp6', 64],
  ['ic12', 64], // 32 pt @2x
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256], // 128 pt @2x
  ['ic09', 512],
  ['ic14', 512], // 256 pt @2x
  ['ic10', 1024], // 512 pt @2x
]

/** Renders the SVG into `outDir`; returns the files written. */
export async function makeIcons(
  svgPath = join(root, 'resources', 'icon.svg'),
  outDir = join(root, 'build', 'icons'),
) {
  const svg = readFileSync(svgPath)
  mkdirSync(outDir, { recursive: true })
  const png = new Map()
  for (const size of PNG_SIZES) {
    const r = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' })
    png.set(size, Buffer.from(r.render().asPng()))
  }
  const written = []
  const write = (name, data) => {
    writeFileSync(join(outDir, name), data)
    written.push(name)
  }
  for (const [size, data] of png) write(`${size}x${size}.png`, data)
  write('icon.png', png.get(1024))
  write('icon.ico', await pngToIco(ICO_SIZES.map((s) => png.get(s))))
  const icns = new Icns()
  for (const [type, size] of ICNS_TYPES) icns.append(IcnsImage.fromPNG(png.get(size), type))
  write('icon.icns', icns.data)
  return written
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [svg, out] = process.argv.slice(2)
  const outDir = out ? resolve(out) : join(root, 'build', 'icons')
  const files = await makeIcons(svg ? resolve(svg) : undefined, outDir)
  console.log(`icons: ${files.length} files in ${outDir}`)
}
