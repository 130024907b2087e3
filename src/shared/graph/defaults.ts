import type { CompileSettings, NetDocument, TrainingSettings } from './schema'

/** Settings a new project starts with: the teaching decks' choices for a small classifier. */
export const defaultCompile = (): CompileSettings => ({
  optimizer: 'adam',
  learningRate: 0.001,
  loss: 'sparse_categorical_crossentropy',
  metrics: ['accuracy'],
})

export const defaultTraining = (): TrainingSettings => ({
  epochs: 5,
  batchSize: 32,
  validationSplit: 0.2,
  shuffle: true,
  seed: 42,
  callbacks: [],
})

export const defaultDataset = (): NetDocument['dataset'] => ({
  id: 'shapes',
  options: { count: 1500, noise: 0.1, filled: 0.25 },
})

/** A new, empty project. */
export const emptyDocument = (): NetDocument => ({
  format: 'netwright',
  version: 1,
  name: 'Untitled',
  style: 'sequential',
  nodes: [],
  edges: [],
  compile: defaultCompile(),
  training: defaultTraining(),
  dataset: defaultDataset(),
})
