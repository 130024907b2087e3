// Checks of the model against its dataset, made before Train and shown on the node at fault: the
// output's units against the dataset's classes, the output's activation against the loss, and the
// Input against the samples' shape. The analysis knows the graph; these need what the dataset is.
import type { Analysis, Problem } from './analyze'
import type { NetDocument } from './schema'

/** What the checks need of the dataset (its preview gives it). */
export interface DataFacts {
  id: string
  task: 'classification' | 'regression'
  /** Class names (classification). */
  classes: string[]
  /** One sample's shape (empty when not known yet). */
  sampleShape: number[]
}

export interface Check extends Problem {
  nodeId: string
  /** 'error': training would fail; 'warning': it trains, but not as meant (Train is still allowed). */
  severity: 'error' | 'warning'
  rule: 'output-units' | 'activation-loss' | 'input-shape'
}

const size = (s: readonly (number | null)[]) => s.reduce<number>((a, b) => a * (b ?? NaN), 1)
const CATEGORICAL = new Set(['sparse_categorical_crossentropy', 'categorical_crossentropy'])
const REGRESSION = new Set(['mean_squared_error', 'mean_absolute_error'])

/** The activation an output node ends with: a Dense-like layer's, an Activation's, a Softmax. */
function activationOf(doc: NetDocument, analysis: Analysis, nodeId: string): string | null {
  // A second use of a shared layer is the owner's layer, with the owner's settings.
  const owner = analysis.nodes[nodeId]?.sharedWith ?? nodeId
  const n = doc.nodes.find((x) => x.id === owner)
  if (!n) return null
  if (n.className === 'Softmax') return 'softmax'
  const a = n.params.activation
  return typeof a === 'string' ? a : n.className === 'Dense' || n.className === 'Activation' ? 'linear' : null
}

export function preflight(doc: NetDocument, analysis: Analysis, data: DataFacts | null): Check[] {
  if (!data) return []
  const out: Check[] = []
  const name = (id: string) => doc.nodes.find((n) => n.id === id)?.name ?? id
  const k = data.classes.length
  // The outputs once the graph itself is sound (their shapes are known then).
  for (const id of analysis.ok ? analysis.outputs : []) {
    const shape = analysis.nodes[id]?.outputShape
    const units = shape?.at(-1)
    const loss = doc.compile.outputs?.[name(id)]?.loss ?? doc.compile.loss
    const act = activationOf(doc, analysis, id)
    if (typeof units === 'number') {
      if (data.task === 'regression' && units !== 1)
        out.push({
          nodeId: id,
          rule: 'output-units',
          severity: 'error',
          message: `"${data.id}" predicts one number per sample, but this layer outputs ${units}. Set units to 1.`,
        })
      else if (data.task === 'classification' && k > 0) {
        const fits = CATEGORICAL.has(loss) ? units === k : units === k || (units === 1 && k === 2)
        if (!fits)
          out.push({
            nodeId: id,
            rule: 'output-units',
            severity: 'error',
            message: `The dataset has ${k} classes, but this layer outputs ${units} value${units === 1 ? '' : 's'} per sample. Set units to ${k}${k === 2 && !CATEGORICAL.has(loss) ? ' (or 1 with a sigmoid)' : ''}.`,
          })
      }
    }
    if (act) {
      const warn = (message: string) =>
        out.push({ nodeId: id, rule: 'activation-loss', severity: 'warning', message })
      if (CATEGORICAL.has(loss) && act !== 'softmax')
        warn(
          `${loss} expects probabilities that add up to 1: give this layer the softmax activation (it has ${act}).`,
        )
      else if (loss === 'binary_crossentropy' && act !== 'sigmoid')
        warn(
          `binary_crossentropy expects a probability between 0 and 1: give this layer the sigmoid activation (it has ${act}).`,
        )
      else if (REGRESSION.has(loss) && data.task === 'regression' && act !== 'linear' && act !== 'relu')
        warn(
          `A regression output predicts any number: leave this layer without an activation (linear), not ${act}.`,
        )
    }
    if (data.task === 'regression' && !REGRESSION.has(loss))
      out.push({
        nodeId: id,
        rule: 'activation-loss',
        severity: 'error',
        message: `"${data.id}" is a regression task: use the loss mean_squared_error or mean_absolute_error, not ${loss}.`,
      })
  }
  // The Input against the samples, whatever else is wrong (one Input: several feeds are checked at Train).
  const [input] = analysis.inputs
  if (analysis.inputs.length === 1 && input && data.sampleShape.length) {
    const n = doc.nodes.find((x) => x.id === input)
    const want = (n?.params.shape ?? []) as (number | null)[]
    const fits = want.includes(null)
      ? want.length === data.sampleShape.length &&
        want.every((d, i) => d === null || d === data.sampleShape[i])
      : size(want) === size(data.sampleShape)
    if (!fits)
      out.push({
        nodeId: input,
        rule: 'input-shape',
        severity: 'error',
        message: `"${data.id}" gives samples of shape [${data.sampleShape.join(', ')}] (${size(data.sampleShape)} values), but this Input takes [${want.map((d) => d ?? 'None').join(', ')}]. Set its shape to [${data.sampleShape.join(', ')}].`,
      })
  }
  return out
}

/** The analysis with the checks added to its problems and to their nodes (errors make it not ok). */
export function withChecks(analysis: Analysis, checks: Check[]): Analysis {
  if (!checks.length) return analysis
  const nodes = { ...analysis.nodes }
  for (const c of checks) {
    const info = nodes[c.nodeId]
    if (info) nodes[c.nodeId] = { ...info, errors: [...info.errors, c.message] }
  }
  return {
    ...analysis,
    nodes,
    problems: [...analysis.problems, ...checks],
    ok: analysis.ok && !checks.some((c) => c.severity === 'error'),
  }
}
