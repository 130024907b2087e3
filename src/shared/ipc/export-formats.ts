// The formats a model exports to (export.model's `format`), what each writes, and its default name.
/** What the model can be exported as. */
export const EXPORT_FORMATS = ['tfjs', 'keras', 'keras-json', 'python', 'pytorch', 'svg', 'png'] as const
/** The formats that carry trained weights (a run's). */
export const WEIGHT_FORMATS: readonly ExportFormat[] = ['tfjs', 'keras']
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** How each format is offered: its label, what it is for, and the files it writes. */
export const EXPORT_FORMAT_INFO: Record<ExportFormat, { label: string; help: string; ext: string }> = {
  tfjs: {
    label: 'TensorFlow.js model (with trained weights)',
    help: 'model.json and its weights, for tf.loadLayersModel, or tensorflowjs_converter to Keras.',
    ext: '.json',
  },
  keras: {
    label: 'Keras 3 model (.keras, with trained weights)',
    help: 'The model and its trained weights in one file, for keras.models.load_model("model.keras").',
    ext: '.keras',
  },
  'keras-json': {
    label: 'Keras model JSON',
    help: "The architecture as model.to_json() writes it, with the training config (Keras's names).",
    ext: '.json',
  },
  python: {
    label: 'Python script (Keras 3)',
    help: 'Rebuilds the model, loads the same data, trains with the same settings: python train.py.',
    ext: '.py',
  },
  pytorch: {
    label: 'PyTorch module',
    help: 'An nn.Module equivalent, with a list of anything that did not map one to one.',
    ext: '.py',
  },
  svg: {
    label: 'Diagram (SVG)',
    help: 'The graph as the canvas shows it, shapes and parameters included.',
    ext: '.svg',
  },
  png: { label: 'Diagram (PNG)', help: 'The graph as a picture, twice the screen size.', ext: '.png' },
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

/** The name without the format's extension, as the export writes it (`model.py` → `model`). */
export const exportBaseName = (format: ExportFormat, name: string): string => {
  const ext = EXPORT_FORMAT_INFO[format].ext
  return name.toLowerCase().endsWith(ext) ? name.slice(0, -ext.length) : name
}

/** The files an export of `name` writes, by name, for the dialog to say before it writes them. */
export function exportFileNames(format: ExportFormat, name: string): string {
  const base = exportBaseName(format, name.trim() || 'model')
  const file = `${base}${EXPORT_FORMAT_INFO[format].ext}`
  if (format === 'tfjs') return `${file} and ${base}.weights.bin`
  if (format === 'python') return `${file} (and ${base}_data.npz beside it for built-in or your own data)`
  return file
}
