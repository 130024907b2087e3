import { z } from 'zod'
import { CallbackSchema } from './callbacks'

/** Keras loss names the app offers. */
export const LOSSES = [
  'sparse_categorical_crossentropy',
  'categorical_crossentropy',
  'binary_crossentropy',
  'mean_squared_error',
  'mean_absolute_error',
] as const
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad', 'adadelta', 'adamax'] as const
/**
 * Every backend, fastest first. The trainer process has the tfjs rungs but webgl; the app's trainer
 * window (Chromium) has webgpu, webgl and cpu; keras is the user's own Keras, in its own Python process
 * (first after tfjs-node-gpu where it sees a GPU; on a CPU taken only when asked for).
 */
export const BACKENDS = ['tfjs-node-gpu', 'keras', 'webgpu', 'webgl', 'tfjs-node', 'wasm', 'cpu'] as const

export const CURRENT_VERSION = 1

export const NodeSchema = z.object({
  id: z.string().min(1),
  className: z.string().min(1),
  name: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  position: z.object({ x: z.number(), y: z.number() }),
  /** Set on a second use of a layer: the id of the node whose layer (and weights) this one reuses. */
  sharedWith: z.string().optional(),
  /** false: the layer is frozen (Keras's trainable=False): its weights are kept as they are in training. */
  trainable: z.boolean().optional(),
})

export const EdgeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  target: z.string().min(1),
  targetPort: z.number().int().min(0).default(0),
})

export const CompileSchema = z.object({
  optimizer: z.enum(OPTIMIZERS),
  learningRate: z.number().positive().max(10),
  loss: z.enum(LOSSES),
  metrics: z.array(z.string()).default(['accuracy']),
  /** Per-output loss and loss weight, by output layer name, for models with several outputs. */
  outputs: z
    .record(z.string(), z.object({ loss: z.enum(LOSSES), weight: z.number().min(0).max(1000).default(1) }))
    .optional(),
})

export const TrainingSchema = z.object({
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).max(65_536),
  validationSplit: z.number().min(0).max(0.9),
  shuffle: z.boolean().default(true),
  seed: z.number().int().default(42),
  /** Keras callbacks in Keras's own form (see callbacks.ts). */
  callbacks: z.array(CallbackSchema).max(20).default([]),
})

export const DatasetChoiceSchema = z.object({
  id: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
})

export const LayoutSchema = z.object({
  direction: z.enum(['down', 'right']).default('down'),
  compact: z.boolean().default(false),
})
export type LayoutChoice = z.infer<typeof LayoutSchema>

export const DocumentSchema = z.object({
  format: z.literal('netwright'),
  version: z.literal(CURRENT_VERSION),
  name: z.string().default('Untitled'),
  /** What the model is for, shown in the template gallery. */
  description: z.string().optional(),
  style: z.enum(['sequential', 'functional']),
  nodes: z.array(NodeSchema),
  edges: z.array(EdgeSchema),
  compile: CompileSchema,
  training: TrainingSchema,
  dataset: DatasetChoiceSchema,
  /** How the canvas lays the graph out: top to bottom or left to right, nodes full or compact. */
  layout: LayoutSchema.optional(),
})

export type NetDocument = z.infer<typeof DocumentSchema>
export type NetNode = z.infer<typeof NodeSchema>
export type NetEdge = z.infer<typeof EdgeSchema>
export type CompileSettings = z.infer<typeof CompileSchema>
export type TrainingSettings = z.infer<typeof TrainingSchema>
export type Loss = (typeof LOSSES)[number]
export type Optimizer = (typeof OPTIMIZERS)[number]
export type BackendName = (typeof BACKENDS)[number]
