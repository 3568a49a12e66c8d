/**
 * MNIST digits for the page: IDX files served beside it (see mnist-digits.ts). IDX is a big-endian header
 * (magic 0x00000801 for labels, 0x00000803 for images, the item count, then rows and cols for images)
 * followed by one unsigned byte per label or pixel.
 */
export interface Digits {
  count: number;
  /** count x 784 pixels scaled to [0, 1], digit after digit. */
  pixels: Float32Array;
  /** Digit labels 0-9. */
  labels: Uint8Array;
}

const NAMES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

async function fetchIdx(name: string, magic: number): Promise<DataView> {
  const url = `${import.meta.env.BASE_URL}mnist/${name}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`MNIST: ${url} answered ${res.status}`);
  const view = new DataView(await res.arrayBuffer());
  if (view.byteLength < 8 || view.getUint32(0) !== magic) {
    throw new Error(`MNIST: ${name} is not an IDX file of magic 0x${magic.toString(16)}`);
  }
  return view;
}

/** The first `limit` digits of a split (all that are served when limit is larger). */
export async function loadDigits(split: 'train' | 'test', limit = Number.POSITIVE_INFINITY): Promise<Digits> {
  const [imageName, labelName] = NAMES[split];
  const [images, labels] = await Promise.all([fetchIdx(imageName, 0x803), fetchIdx(labelName, 0x801)]);
  const count = Math.min(images.getUint32(4), labels.getUint32(4), limit);
  const size = images.getUint32(8) * images.getUint32(12);
  if (size !== 784) throw new Error(`MNIST: ${imageName} holds ${size}-pixel images, expected 28x28`);
  const bytes = new Uint8Array(images.buffer, 16, count * 784);
  const pixels = new Float32Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (bytes[i] as number) / 255;
  return { count, pixels, labels: new Uint8Array(labels.buffer, 8, count).slice() };
}

/** The first `count` digits of a set. */
export function firstDigits(d: Digits, count: number): Digits {
  const n = Math.min(count, d.count);
  return { count: n, pixels: d.pixels.subarray(0, n * 784), labels: d.labels.subarray(0, n) };
}
