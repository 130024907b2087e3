// A user's own images: a folder with one subfolder per class (Keras's image_dataset_from_directory
// layout), PNG or JPEG files, each resized to one size. Decoded in plain JavaScript (pngjs, jpeg-js),
// so no native part is needed; kept as uint8 like the Keras image datasets.
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { readdir, stat } from 'node:fs/promises'
import { LIMITS } from '../safe-fs'
import { readDataFile } from './read'
import { extname, join } from 'node:path'
import type { DatasetOption } from '../../shared/ipc/contract'
import type { LoadedDataset } from './builtins'
import { DatasetFileError } from './idx'
import { heldBackOption, IMAGE_OPTIONS } from './options'
import { mulberry32 } from './random'

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg'])
/** The most pixels one image may have (a 64-megapixel photo fits). */
const MAX_PIXELS = 64_000_000

export const IMAGE_FOLDER_OPTIONS: DatasetOption[] = [
  {
    key: 'path',
    label: 'Image folder',
    kind: 'text',
    default: '',
    help: 'A folder with one subfolder per class (cats/, dogs/, …) holding PNG or JPEG images.',
  },
  {
    key: 'height',
    label: 'Height',
    kind: 'number',
    default: 32,
    min: 4,
    max: 512,
    integer: true,
    help: 'Every image is resized to this height (bilinear), as image_size does in Keras.',
  },
  {
    key: 'width',
    label: 'Width',
    kind: 'number',
    default: 32,
    min: 4,
    max: 512,
    integer: true,
    help: 'Every image is resized to this width.',
  },
  {
    key: 'color_mode',
    label: 'Colour',
    kind: 'choice',
    default: 'rgb',
    choices: [
      { value: 'rgb', label: 'RGB (3 channels)' },
      { value: 'grayscale', label: 'grayscale (1 channel)' },
    ],
    help: 'Keep colour, or average it to one gray channel.',
  },
  heldBackOption('images'),
  ...IMAGE_OPTIONS,
]

interface Decoded {
  width: number
  height: number
  /** RGBA, 4 bytes per pixel. */
  rgba: Uint8Array
}

export function decodeImage(bytes: Uint8Array, source: string): Decoded {
  const ext = extname(source).toLowerCase()
  try {
    if (ext === '.png') {
      // The size in its header, checked before decoding: a PNG claiming 50,000 × 50,000 pixels would
      // otherwise take 10 GB.
      const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      if (view.length >= 24 && view.toString('latin1', 12, 16) === 'IHDR') {
        const width = view.readUInt32BE(16)
        const height = view.readUInt32BE(20)
        if (width * height > MAX_PIXELS)
          throw new Error(
            `it claims ${width} × ${height} pixels, more than the ${MAX_PIXELS / 1e6} million Netwright reads`,
          )
      }
      const png = PNG.sync.read(Buffer.from(bytes))
      return { width: png.width, height: png.height, rgba: png.data }
    }
    const jpg = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxMemoryUsageInMB: 256,
      maxResolutionInMP: MAX_PIXELS / 1e6,
    })
    return { width: jpg.width, height: jpg.height, rgba: jpg.data }
  } catch (e) {
    throw new DatasetFileError(
      `${source} is not a readable ${ext.slice(1).toUpperCase()} image (${(e as Error).message}).`,
    )
  }
}

/** Bilinear resize (half-pixel centres, as tf.image.resize) into `out` at `offset`, HxWxC uint8. */
export function resizeInto(
  img: Decoded,
  h: number,
  w: number,
  channels: 1 | 3,
  out: Uint8Array,
  offset: number,
): void {
  const sy = img.height / h
  const sx = img.width / w
  const px = (x: number, y: number, c: number) => img.rgba[(y * img.width + x) * 4 + c]!
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1)
    const y0 = Math.floor(fy)
    const y1 = Math.min(y0 + 1, img.height - 1)
    const dy = fy - y0
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1)
      const x0 = Math.floor(fx)
      const x1 = Math.min(x0 + 1, img.width - 1)
      const dx = fx - x0
      const at = (c: number) =>
        (px(x0, y0, c) * (1 - dx) + px(x1, y0, c) * dx) * (1 - dy) +
        (px(x0, y1, c) * (1 - dx) + px(x1, y1, c) * dx) * dy
      const o = offset + (y * w + x) * channels
      if (channels === 3) for (let c = 0; c < 3; c++) out[o + c] = Math.round(at(c))
      else out[o] = Math.round(0.299 * at(0) + 0.587 * at(1) + 0.114 * at(2))
    }
  }
}

export interface ImageFolderListing {
  classes: string[]
  files: { path: string; label: number }[]
  /** Files that are not PNG or JPEG, skipped. */
  skipped: number
}

/** The classes (subfolders, in alphanumeric order as Keras sorts them) and their image files. */
export async function listImageFolder(root: string): Promise<ImageFolderListing> {
  const s = await stat(root).catch(() => null)
  if (!s) throw new DatasetFileError(`There is no folder at ${root}.`)
  if (!s.isDirectory())
    throw new DatasetFileError(`${root} is a file; choose a folder with one subfolder per class.`)
  const entries = await readdir(root, { withFileTypes: true })
  const classes = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
  if (classes.length < 2)
    throw new DatasetFileError(
      `${root} needs one subfolder per class (at least two, e.g. cats/ and dogs/); it has ${classes.length}.`,
    )
  const files: ImageFolderListing['files'] = []
  let skipped = 0
  for (const [label, name] of classes.entries()) {
    const inClass = (await readdir(join(root, name), { withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort()
    for (const f of inClass)
      if (IMAGE_EXT.has(extname(f).toLowerCase())) files.push({ path: join(root, name, f), label })
      else skipped++
  }
  const empty = classes.filter((_, k) => !files.some((f) => f.label === k))
  if (empty.length)
    throw new DatasetFileError(
      `The class folder${empty.length > 1 ? 's' : ''} ${empty.join(', ')} in ${root} hold${empty.length > 1 ? '' : 's'} no PNG or JPEG images.`,
    )
  return { classes, files, skipped }
}

/** Reads every image, resized, as uint8 (HxWxC) in a seeded shuffled order, so a validation split is fair. */
export async function readImageFolder(
  root: string,
  o: Record<string, unknown>,
  seed: number,
  id = 'images',
): Promise<LoadedDataset & { skipped: number }> {
  const { classes, files, skipped } = await listImageFolder(root)
  const h = Number(o.height ?? 32)
  const w = Number(o.width ?? 32)
  const channels = o.color_mode === 'grayscale' ? 1 : 3
  const rand = mulberry32(seed)
  for (let i = files.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[files[i], files[j]] = [files[j]!, files[i]!]
  }
  const per = h * w * channels
  const x = new Uint8Array(files.length * per)
  const y = new Int32Array(files.length)
  for (const [i, f] of files.entries()) {
    resizeInto(decodeImage(await readDataFile(f.path, LIMITS.image), f.path), h, w, channels, x, i * per)
    y[i] = f.label
  }
  // The last test_split of the shuffled images are the test split.
  const split = typeof o.test_split === 'number' ? o.test_split : 0
  const n = files.length - Math.floor(files.length * split)
  const test = n < files.length ? { test: { x: x.slice(n * per), y: y.slice(n) } } : {}
  return {
    id,
    x: n < files.length ? x.subarray(0, n * per) : x,
    xScale: 1 / 255,
    sampleShape: [h, w, channels],
    y: y.subarray(0, n),
    classes,
    skipped,
    ...test,
  }
}
