// A user's own table: a CSV file with a header row. Columns are found numeric or categorical, the
// target column is chosen (the last by default), the task is inferred from it (or set), features are
// one-hot encoded (categorical) and standardized (numeric, with the training rows' statistics), and
// rows are shuffled from the seed and split into training and test parts.
import Papa from 'papaparse'
import { LIMITS, readRegularText, UnreadableFile } from '../safe-fs'
import type { DatasetOption } from '../../shared/ipc/contract'
import type { LoadedDataset } from './builtins'
import { DatasetFileError } from './idx'
import { mulberry32 } from './random'
import { heldBackOption } from './options'
import { showValue } from '../../shared/json-limits'

export interface CsvColumn {
  name: string
  kind: 'numeric' | 'categorical'
  role: 'feature' | 'target' | 'ignored'
  missing: number
  /** Numeric: min, max, mean. Categorical: its values (most frequent first, at most 12 shown). */
  detail: string
  /** Categorical: every distinct value, sorted. */
  values?: string[]
}

export interface CsvTable {
  columns: CsvColumn[]
  rows: string[][]
  task: 'classification' | 'regression'
  /** Why the task is what it is, for the user. */
  taskReason: string
}

/** At most this many distinct values make a numeric column a class label rather than a quantity. */
const MAX_NUMERIC_CLASSES = 20
const MAX_CATEGORIES = 200

export const CSV_OPTIONS: DatasetOption[] = [
  {
    key: 'path',
    label: 'CSV file',
    kind: 'text',
    default: '',
    help: 'A comma-separated file with a header row: one row per sample, one column per feature.',
  },
  {
    key: 'target',
    label: 'Target column',
    kind: 'text',
    default: '',
    help: 'The column to predict. Empty: the last column.',
  },
  {
    key: 'task',
    label: 'Task',
    kind: 'choice',
    default: 'auto',
    choices: [
      { value: 'auto', label: 'infer from the target column' },
      { value: 'classification', label: 'classification' },
      { value: 'regression', label: 'regression' },
    ],
    help: 'Text targets and whole numbers with few distinct values are classes; other numbers are regression.',
  },
  {
    key: 'ignore',
    label: 'Ignore columns',
    kind: 'text',
    default: '',
    help: 'Comma-separated names of columns that are not features (an id, a name).',
  },
  {
    key: 'input_groups',
    label: 'Input groups',
    kind: 'text',
    default: '',
    help: 'Column groups, one per Input, separated by ";" (e.g. "age, income; city"): a model with several Inputs takes one group each, in order. Empty: every feature goes to one Input.',
  },
  {
    key: 'standardize',
    label: 'Standardize numeric features',
    kind: 'boolean',
    default: true,
    help: 'Subtract the mean and divide by the standard deviation of the training rows.',
  },
  heldBackOption('rows'),
]

const isMissing = (v: string) => v === '' || /^(na|nan|null|none|\?)$/i.test(v)

/** Parses CSV text and describes its columns for the given options. */
export function parseCsv(text: string, source: string, o: Record<string, unknown>): CsvTable {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' })
  const bad = parsed.errors.find((e) => e.type !== 'Delimiter')
  if (bad)
    throw new DatasetFileError(
      `${source}: ${bad.message}${bad.row !== undefined ? ` (row ${bad.row + 1})` : ''}.`,
    )
  const [header, ...rows] = parsed.data.map((r) => r.map((c) => c.trim()))
  if (!header || header.length < 2 || rows.length < 2)
    throw new DatasetFileError(
      `${source} needs a header row, at least two columns and at least two rows of data.`,
    )
  const seen = new Set<string>()
  header.forEach((h, i) => {
    if (!h) throw new DatasetFileError(`${source}: column ${i + 1} has no name in the header row.`)
    if (seen.has(h)) throw new DatasetFileError(`${source}: two columns are named "${h}".`)
    seen.add(h)
  })
  rows.forEach((r, i) => {
    if (r.length !== header.length)
      throw new DatasetFileError(
        `${source}: row ${i + 2} has ${r.length} values, but the header names ${header.length} columns.`,
      )
  })
  const targetName = typeof o.target === 'string' && o.target ? o.target : header.at(-1)!
  if (!header.includes(targetName))
    throw new DatasetFileError(`${source} has no column "${targetName}". Its columns: ${header.join(', ')}.`)
  const ignoreText = String(o.ignore ?? '').trim()
  const ignored = new Set(
    header.includes(ignoreText)
      ? [ignoreText]
      : ignoreText
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
  )
  for (const name of ignored)
    if (!header.includes(name))
      throw new DatasetFileError(
        `${source} has no column "${name}" to ignore. Its columns: ${header.join(', ')}.`,
      )
  const columns: CsvColumn[] = header.map((name, c) => {
    const values = rows.map((r) => r[c]!)
    const present = values.filter((v) => !isMissing(v))
    const numeric = present.length > 0 && present.every((v) => Number.isFinite(Number(v)))
    const role = name === targetName ? 'target' : ignored.has(name) ? 'ignored' : 'feature'
    const missing = values.length - present.length
    if (numeric) {
      const nums = present.map(Number)
      const mean = nums.reduce((a, b) => a + b, 0) / nums.length
      const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4))
      return {
        name,
        kind: 'numeric',
        role,
        missing,
        detail: `${fmt(Math.min(...nums))} to ${fmt(Math.max(...nums))}, mean ${fmt(mean)}`,
      }
    }
    const counts = new Map<string, number>()
    for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1)
    const byCount = [...counts].sort((a, b) => b[1] - a[1])
    return {
      name,
      kind: 'categorical',
      role,
      missing,
      detail: `${counts.size} values: ${byCount
        .slice(0, 12)
        .map(([v]) => v)
        .join(', ')}${counts.size > 12 ? ', …' : ''}`,
      values: [...counts.keys()].sort(),
    }
  })
  const target = columns.find((c) => c.role === 'target')!
  if (target.missing > 0)
    throw new DatasetFileError(
      `${source}: the target column "${target.name}" has ${target.missing} empty values; fill or remove those rows.`,
    )
  const ti = header.indexOf(targetName)
  const distinct = new Set(rows.map((r) => r[ti]!))
  let task: CsvTable['task']
  let taskReason: string
  if (o.task === 'classification' || o.task === 'regression') {
    task = o.task
    taskReason = `set to ${task}`
  } else if (target.kind === 'categorical') {
    task = 'classification'
    taskReason = `"${target.name}" holds text, so each value is a class`
  } else if (
    [...distinct].every((v) => Number.isInteger(Number(v))) &&
    distinct.size <= MAX_NUMERIC_CLASSES
  ) {
    task = 'classification'
    taskReason = `"${target.name}" holds ${distinct.size} distinct whole numbers, so each is a class`
  } else {
    task = 'regression'
    taskReason = `"${target.name}" holds numbers with ${distinct.size} distinct values, so it is predicted as a number`
  }
  if (task === 'regression' && target.kind === 'categorical')
    throw new DatasetFileError(
      `${source}: "${target.name}" holds text, so it cannot be predicted as a number (regression).`,
    )
  for (const c of columns)
    if (c.role === 'feature' && c.kind === 'categorical' && c.values!.length > MAX_CATEGORIES)
      throw new DatasetFileError(
        `${source}: the column "${c.name}" has ${c.values!.length} distinct text values, too many to one-hot encode. Add it to "Ignore columns".`,
      )
  if (!columns.some((c) => c.role === 'feature'))
    throw new DatasetFileError(`${source}: no feature columns are left besides the target.`)
  return { columns, rows, task, taskReason }
}

export async function readCsvTable(path: string, o: Record<string, unknown>): Promise<CsvTable> {
  let text: string
  try {
    text = await readRegularText(path, { maxBytes: LIMITS.csv })
  } catch (e) {
    if (e instanceof UnreadableFile)
      throw new DatasetFileError(e.reason === 'folder' ? `${path} is a folder, not a CSV file.` : e.message)
    throw e
  }
  return parseCsv(text, path, o)
}

/** The feature names after encoding (a categorical column becomes one column per value). */
export const featureNames = (t: CsvTable): string[] =>
  t.columns
    .filter((c) => c.role === 'feature')
    .flatMap((c) => (c.kind === 'numeric' ? [c.name] : c.values!.map((v) => `${c.name}=${v}`)))

/**
 * The input_groups option read: column names per Input, each a feature column, each in one group,
 * every feature in some group. Empty: one group of every feature.
 */
export function inputGroups(raw: unknown, features: string[]): string[][] {
  const text = typeof raw === 'string' ? raw.trim() : ''
  if (!text) return [features]
  const groups = text.split(';').map((g) =>
    g
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  )
  if (groups.some((g) => !g.length))
    throw new DatasetFileError('input_groups has an empty group: give each Input at least one column.')
  const seen = new Set<string>()
  for (const name of groups.flat()) {
    if (!features.includes(name))
      throw new DatasetFileError(
        `input_groups names ${showValue(name, 60)}, which is not a feature column. The features: ${features.join(', ')}.`,
      )
    if (seen.has(name)) throw new DatasetFileError(`input_groups names ${showValue(name, 60)} twice.`)
    seen.add(name)
  }
  const left = features.filter((f) => !seen.has(f))
  if (left.length)
    throw new DatasetFileError(
      `input_groups leaves out ${left.join(', ')}: put ${left.length === 1 ? 'it' : 'them'} in a group, or in ignore.`,
    )
  return groups
}

/** The table as training data: the training rows, encoded; `testCount` rows are held back. */
export function encodeCsv(
  t: CsvTable,
  o: Record<string, unknown>,
  seed: number,
  id = 'csv',
): LoadedDataset & { testCount: number; features: string[] } {
  const n = t.rows.length
  const order = Array.from({ length: n }, (_, i) => i)
  const rand = mulberry32(seed)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const testSplit = typeof o.test_split === 'number' ? o.test_split : 0.2
  const trainCount = n - Math.floor(n * testSplit)
  const trainRows = order.slice(0, trainCount).map((i) => t.rows[i]!)
  const testRows = order.slice(trainCount).map((i) => t.rows[i]!)
  const features = featureNames(t)
  // Each feature column's encoding, from the training rows' statistics only; the held-back rows use
  // the same. `write` puts the column's values at `at` (one for a number, one-hot for a category).
  const columns: {
    name: string
    width: number
    write: (r: string[], out: Float32Array, at: number) => void
  }[] = []
  t.columns.forEach((c, ci) => {
    if (c.role !== 'feature') return
    if (c.kind === 'numeric') {
      const present = trainRows
        .map((r) => (isMissing(r[ci]!) ? NaN : Number(r[ci])))
        .filter((v) => !Number.isNaN(v))
      const mean = present.reduce((a, b) => a + b, 0) / Math.max(present.length, 1)
      const sd =
        Math.sqrt(present.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(present.length, 1)) || 1
      const standardize = o.standardize !== false
      columns.push({
        name: c.name,
        width: 1,
        write: (r, out, at) => {
          const v = isMissing(r[ci]!) ? NaN : Number(r[ci])
          const filled = Number.isNaN(v) ? mean : v // a missing value takes the column's mean
          out[at] = standardize ? (filled - mean) / sd : filled
        },
      })
    } else {
      const index = new Map(c.values!.map((v, k) => [v, k]))
      columns.push({
        name: c.name,
        width: c.values!.length,
        write: (r, out, at) => {
          const k = index.get(r[ci]!)
          if (k !== undefined) out[at + k] = 1 // a missing value (or one the training rows lack) is all zeros
        },
      })
    }
  })
  // The Inputs: one group of columns each (input_groups), else every feature in one.
  const groups = inputGroups(
    o.input_groups,
    columns.map((c) => c.name),
  ).map((names) => names.map((name) => columns.find((c) => c.name === name)!))
  const encodeGroup = (group: typeof columns, rows: string[][]) => {
    const width = group.reduce((a, c) => a + c.width, 0)
    const x = new Float32Array(rows.length * width)
    rows.forEach((r, i) => {
      let at = i * width
      for (const c of group) {
        c.write(r, x, at)
        at += c.width
      }
    })
    return { x, sampleShape: [width] }
  }
  const more = (rows: string[][]) =>
    groups.length > 1
      ? {
          more: groups.slice(1).map((g, k) => ({
            name: `input ${k + 2}: ${g.map((c) => c.name).join(', ')}`,
            ...encodeGroup(g, rows),
          })),
        }
      : {}
  const encode = (rows: string[][]) => encodeGroup(groups[0]!, rows).x
  const width = groups[0]!.reduce((a, c) => a + c.width, 0)
  const x = encode(trainRows)
  const ti = t.columns.findIndex((c) => c.role === 'target')
  const target = t.columns[ti]!
  const heldBack = (y: Int32Array | Float32Array) =>
    testRows.length ? { test: { x: encode(testRows), y, ...more(testRows) } } : {}
  if (t.task === 'regression') {
    const y = Float32Array.from(trainRows, (r) => Number(r[ti]))
    return {
      id,
      x,
      sampleShape: [width],
      y,
      task: 'regression',
      classes: [],
      testCount: n - trainCount,
      features,
      ...more(trainRows),
      ...heldBack(Float32Array.from(testRows, (r) => Number(r[ti]))),
    }
  }
  const classes =
    target.kind === 'numeric'
      ? [...new Set(t.rows.map((r) => r[ti]!))].sort((a, b) => Number(a) - Number(b))
      : target.values!
  const index = new Map(classes.map((v, k) => [v, k]))
  const y = Int32Array.from(trainRows, (r) => index.get(r[ti]!)!)
  return {
    id,
    x,
    sampleShape: [width],
    y,
    task: 'classification',
    classes,
    testCount: n - trainCount,
    features,
    ...more(trainRows),
    ...heldBack(Int32Array.from(testRows, (r) => index.get(r[ti]!)!)),
  }
}
