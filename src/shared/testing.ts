import { defaultCompile, defaultDataset, defaultTraining } from './graph/defaults'
import type { NetDocument } from './graph/schema'

/** The default project, inline, for tests of src/shared (which may not read files). */
/** The shapes as a small CNN: Input [28, 28, 1] → Conv2D 8 → MaxPooling2D → Flatten → Dense 16 → Dense 3. */
export function shapesCnnDoc(): NetDocument {
  const layer = (id: string, className: string, params: Record<string, unknown>, y: number) => ({
    id,
    className,
    name: id,
    params,
    position: { x: 0, y },
  })
  const nodes = [
    layer('input', 'InputLayer', { shape: [28, 28, 1] }, 0),
    layer('conv2d', 'Conv2D', { filters: 8, kernel_size: [3, 3], activation: 'relu' }, 110),
    layer('max_pooling2d', 'MaxPooling2D', {}, 220),
    layer('flatten', 'Flatten', {}, 330),
    layer('dense', 'Dense', { units: 16, activation: 'relu' }, 440),
    layer('dense_1', 'Dense', { units: 3, activation: 'softmax' }, 550),
  ]
  return {
    ...shapesDoc(),
    name: 'Shapes CNN',
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id, targetPort: 0 })),
  }
}

export function shapesDoc(): NetDocument {
  return {
    format: 'netwright',
    version: 1,
    name: 'Shapes classifier',
    style: 'sequential',
    nodes: [
      {
        id: 'input',
        className: 'InputLayer',
        name: 'input',
        params: { shape: [28, 28] },
        position: { x: 0, y: 0 },
      },
      { id: 'flatten', className: 'Flatten', name: 'flatten', params: {}, position: { x: 0, y: 130 } },
      {
        id: 'dense',
        className: 'Dense',
        name: 'dense',
        params: { units: 128, activation: 'relu', use_bias: true },
        position: { x: 0, y: 260 },
      },
      {
        id: 'dense_1',
        className: 'Dense',
        name: 'dense_1',
        params: { units: 3, activation: 'softmax', use_bias: true },
        position: { x: 0, y: 390 },
      },
    ],
    edges: [
      { id: 'e1', source: 'input', target: 'flatten', targetPort: 0 },
      { id: 'e2', source: 'flatten', target: 'dense', targetPort: 0 },
      { id: 'e3', source: 'dense', target: 'dense_1', targetPort: 0 },
    ],
    compile: defaultCompile(),
    training: defaultTraining(),
    dataset: defaultDataset(),
  }
}

/** The default project made Functional with a second output, `aux` (Dense of `units`), off the Flatten. */
export function twoOutputsDoc(units = 3, activation = 'softmax'): NetDocument {
  const doc = shapesDoc()
  doc.style = 'functional'
  doc.nodes.push({
    id: 'aux',
    className: 'Dense',
    name: 'aux',
    params: { units, activation },
    position: { x: 300, y: 260 },
  })
  doc.edges.push({ id: 'e-aux', source: 'flatten', target: 'aux', targetPort: 0 })
  return doc
}
