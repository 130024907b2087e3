// The formats a model exports to (export.model's `format`), what each writes, and its default name.
/** What the model can be exported as. */
export const EXPORT_FORMATS = ['tfjs', 'keras', 'keras-json', 'python', 'pytorch', 'svg', 'png'] as const
/** The formats that carry trained weights (a run's). */
export const WEIGHT_FORMATS: readonly ExportFormat[] = ['tfjs', 'keras']
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** How each format is offered: its label, what it is for, and the files it writes. */
export const EXPORT_FORMAT_INFO: Record<ExportFormat, { label: string; help: string; files: string }> = {
  tfjs: {
    label: 'TensorFlow.js model (with trained weights)',
    help: 'model.json and its weights, for tf.loadLayersModel, or tensorflowjs_converter to Keras.',
    files: '.json + .weights.bin',
  },
  keras: {
    label: 'Keras 3 model (.keras, with trained weights)',
    help: 'The model and its trained weights in one file, for keras.models.load_model("model.keras").',
    files: '.keras',
  },
  'keras-json': {
    label: 'Keras model JSON',
    help: "The architecture as model.to_json() writes it, with the training config (Keras's names).",
    files: '.json',
  },
  python: {
    label: 'Python script (Keras 3)',
    help: 'Rebuilds the model, loads the same data, trains with the same settings: python train.py.',
    files: '.py',
  },
  pytorch: {
    label: 'PyTorch module',
    help: 'An nn.Module equivalent, with a list of anything that did not map one to one.',
    files: '.py',
  },
  svg: {
    label: 'Diagram (SVG)',
    help: 'The graph as the canvas shows it, shapes and parameters included.',
    files: '.svg',
  },
  png: { label: 'Diagram (PNG)', help: 'The graph as a picture, twice the screen size.', files: '.png' },
}

/** The file name an export gets unless the user gives another (without the extension). */
export function defaultExportName(format: ExportFormat, docName: string): string {
  const slug =
    docName
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'model'
  switch (format) {
    case 'tfjs':
      return 'model'
    case 'keras-json':
      return `${slug}.keras`
    case 'python':
      return 'train'
    case 'pytorch':
      return `${slug.replace(/-/g, '_')}_torch`
    default:
      return slug
  }
}
