/** What the model layer knows about each dataset a model file can name: image size and classes. */
import type { DatasetName } from './spec';

export interface DatasetInfo {
  /** How messages name it: "MNIST". */
  label: string;
  /** Pixels per image (28×28). */
  pixels: number;
  /** The shape the format writes by default. */
  defaultShape: number[];
  classNames: string[];
}

export const DATASET_INFO: Record<DatasetName, DatasetInfo> = {
  mnist: {
    label: 'MNIST',
    pixels: 784,
    defaultShape: [784],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  'fashion-mnist': {
    label: 'Fashion-MNIST',
    pixels: 784,
    defaultShape: [784],
    // torchvision.datasets.FashionMNIST.classes
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
};
