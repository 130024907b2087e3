// The Keras datasets, where Keras keeps them: $KERAS_HOME or ~/.keras, subfolder datasets, with the
// same file names and published hashes, so a file Python's Keras already downloaded is used as it is.
import { homedir } from 'node:os'
import { join } from 'node:path'

const GCS = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/'

export interface KerasFile {
  /** Path under the cache's datasets folder, as Keras names it. */
  path: string
  origin: string
  /** sha256 from Keras's sources, where Keras checks one. */
  sha256?: string
  /** md5, where that is what is published (Keras's word-index JSON files, Fashion-MNIST's files). */
  md5?: string
}

export interface KerasDataset {
  id: string
  name: string
  task: 'classification' | 'regression'
  description: string
  sampleShape: number[]
  classes: string[]
  citation: string
  files: KerasFile[]
  /** Files that only the preview needs (IMDB's and Reuters' word indexes); fetched when previewed. */
  extras?: KerasFile[]
  /** Whether this version can load it yet (the others are listed and prepared, not trained on). */
  loadable: boolean
}

/** CIFAR-100's fine labels, in label order. */
const CIFAR100_FINE =
  `apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can
castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish forest
fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain mouse
mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray
road rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank
telephone television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm`.split(
    /\s+/,
  )

/** Reuters' 46 topics in label order (keras.datasets.reuters.get_label_names()). */
export const REUTERS_TOPICS =
  `cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar trade reserves ship
cotton carcass crude nat-gas cpi money-fx interest gnp meal-feed alum oilseed gold tin strategic-metal livestock retail ipi
iron-steel rubber heat jobs lei bop zinc orange pet-chem dlr gas silver wpi hog lead`.split(/\s+/)

const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']
const FASHION = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]
/** The MD5 checksums the Fashion-MNIST project publishes for its four files (Keras checks none). */
const FASHION_MD5: Record<string, string> = {
  'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
  't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
  't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
}
const fashionFiles = [
  'train-labels-idx1-ubyte.gz',
  'train-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
]

export const KERAS_DATASETS: KerasDataset[] = [
  {
    id: 'mnist',
    name: 'MNIST handwritten digits',
    task: 'classification',
    description: '70,000 28×28 grayscale images of the digits 0-9 (60,000 for training).',
    sampleShape: [28, 28],
    classes: digits,
    citation: 'Y. LeCun, C. Cortes, C. J. C. Burges, The MNIST database of handwritten digits.',
    files: [
      {
        path: 'mnist.npz',
        origin: `${GCS}mnist.npz`,
        sha256: '731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1',
      },
    ],
    loadable: true,
  },
  {
    id: 'fashion_mnist',
    name: 'Fashion-MNIST',
    task: 'classification',
    description: '70,000 28×28 grayscale images of 10 kinds of clothing (60,000 for training).',
    sampleShape: [28, 28],
    classes: FASHION,
    citation: 'H. Xiao, K. Rasul, R. Vollgraf, Fashion-MNIST (2017), arXiv:1708.07747.',
    files: fashionFiles.map((f) => ({
      path: `fashion-mnist/${f}`,
      origin: `${GCS}${f}`,
      md5: FASHION_MD5[f],
    })),
    loadable: true,
  },
  {
    id: 'cifar10',
    name: 'CIFAR-10',
    task: 'classification',
    description: '60,000 32×32 colour images in 10 classes (50,000 for training).',
    sampleShape: [32, 32, 3],
    classes: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    citation: 'A. Krizhevsky, Learning Multiple Layers of Features from Tiny Images (2009).',
    files: [
      {
        path: 'cifar-10-batches-py.tar.gz',
        origin: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
        sha256: '6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce',
      },
    ],
    loadable: true,
  },
  {
    id: 'cifar100',
    name: 'CIFAR-100',
    task: 'classification',
    description: '60,000 32×32 colour images in 100 fine classes (20 coarse).',
    sampleShape: [32, 32, 3],
    classes: CIFAR100_FINE,
    citation: 'A. Krizhevsky, Learning Multiple Layers of Features from Tiny Images (2009).',
    files: [
      {
        path: 'cifar-100-python.tar.gz',
        origin: 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz',
        sha256: '85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7',
      },
    ],
    loadable: true,
  },
  {
    id: 'boston_housing',
    name: 'Boston Housing prices',
    task: 'regression',
    description: '506 houses, 13 features each, and their median price.',
    sampleShape: [13],
    classes: [],
    citation: 'D. Harrison, D. L. Rubinfeld, Hedonic prices and the demand for clean air (1978).',
    files: [
      {
        path: 'boston_housing.npz',
        origin: `${GCS}boston_housing.npz`,
        sha256: 'f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5',
      },
    ],
    loadable: true,
  },
  {
    id: 'imdb',
    name: 'IMDB movie reviews',
    task: 'classification',
    description: '50,000 reviews as word indices, labelled positive or negative (25,000 for training).',
    sampleShape: [200],
    classes: ['negative', 'positive'],
    citation: 'A. L. Maas et al., Learning Word Vectors for Sentiment Analysis (ACL 2011).',
    files: [
      {
        path: 'imdb.npz',
        origin: `${GCS}imdb.npz`,
        sha256: '69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f',
      },
    ],
    extras: [
      {
        path: 'imdb_word_index.json',
        origin: `${GCS}imdb_word_index.json`,
        md5: 'bfafd718b763782e994055a2d397834f',
      },
    ],
    loadable: true,
  },
  {
    id: 'reuters',
    name: 'Reuters newswires',
    task: 'classification',
    description: '11,228 newswires as word indices, in 46 topics.',
    sampleShape: [200],
    classes: REUTERS_TOPICS,
    citation: 'Reuters-21578 text categorization collection.',
    files: [
      {
        path: 'reuters.npz',
        origin: `${GCS}reuters.npz`,
        sha256: 'd6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916',
      },
    ],
    extras: [
      {
        path: 'reuters_word_index.json',
        origin: `${GCS}reuters_word_index.json`,
        md5: '4d44cc38712099c9e383dc6e5f11a921',
      },
    ],
    loadable: true,
  },
]

/** Keras's cache folder for datasets: $KERAS_HOME/datasets, else ~/.keras/datasets. */
export const kerasDatasetsDir = (env: NodeJS.ProcessEnv = process.env): string =>
  join(env.KERAS_HOME || join(homedir(), '.keras'), 'datasets')

export const kerasDataset = (id: string): KerasDataset | undefined => KERAS_DATASETS.find((d) => d.id === id)

/** The sample shape a Keras dataset will have with these options, known without its files. */
export function kerasSampleShape(
  info: { id: string; sampleShape: number[] },
  o: Record<string, unknown>,
): number[] {
  if (info.id === 'imdb' || info.id === 'reuters')
    return o.encoding === 'multi_hot' ? [Number(o.num_words)] : [Number(o.sequence_length)]
  if (info.sampleShape.length > 1 && o.flatten === true) return [info.sampleShape.reduce((a, b) => a * b, 1)]
  return info.sampleShape
}
