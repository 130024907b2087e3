// What the teaching views get from the trainer: the decision boundary (training.metrics) and a
// look inside a trained model (model.inspect).

/**
 * What a model of two input features decides over the plane of its data (TensorFlow Playground's
 * picture): a size × size grid over x and y, row by row from the top (y high) down, each cell's
 * predicted class and how sure the model is of it (0 to 1).
 */
export interface DecisionBoundary {
  x: [number, number]
  y: [number, number]
  size: number
  classes: number[]
  confidence: number[]
}

/** One layer's output for one sample, as the "Inside the model" view draws it. */
export type LayerActivation =
  | {
      kind: 'maps'
      layer: string
      className: string
      /** Height and width of each map, and how many channels the layer has (the first 16 are shown). */
      height: number
      width: number
      channels: number
      /** Each shown channel's values, row by row, scaled to 0-255 over that channel. */
      maps: number[][]
    }
  | {
      kind: 'vector'
      layer: string
      className: string
      /** How many values the layer gives (the first 128 are in `values`). */
      size: number
      values: number[]
      /** Of all its values, how many are 0 (a ReLU's dead units). */
      zeros: number
    }

/** Inside a trained model for one sample: the layers' outputs, and the first output's prediction. */
export interface Inspection {
  split: 'train' | 'test'
  index: number
  /** The split's size, so the view can page through it. */
  count: number
  /** The sample's true class (classification) or target value. */
  actual: number
  layers: LayerActivation[]
  /** The first output's values: class probabilities (a single sigmoid unit gives [1 − p, p]). */
  output: number[]
}

/**
 * The learning rate's effect on the user's model (a learning-rate range test): from fresh weights,
 * one batch at each rate, the rate rising exponentially, until the loss blows up.
 */
export interface LearningRateSweep {
  /** Each batch: its learning rate, its loss, and the loss smoothed over the batches before it. */
  points: { lr: number; loss: number; smoothed: number }[]
  /** Where the smoothed loss fell fastest (null when it never fell). */
  suggestion: number | null
  /** The learning rate the project has now. */
  current: number
  /** Where the loss blew up (four times its lowest), when it did within the rates tried. */
  divergedAt: number | null
  /** The rates tried. */
  from: number
  to: number
}
