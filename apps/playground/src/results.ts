/**
 * What a trained model does on the test digits: the confusion matrix (rows the true digit, columns the
 * predicted one, shaded by the row's share) and a grid of sample digits with their predictions.
 */
import type { Digits } from './data.js';

export function confusion(predicted: ArrayLike<number>, labels: ArrayLike<number>): number[][] {
  const m = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let i = 0; i < labels.length; i++) (m[labels[i] as number] as number[])[predicted[i] as number]! += 1;
  return m;
}

export function renderConfusion(table: HTMLTableElement, matrix: number[][]): void {
  const head = table.createTHead().insertRow();
  head.append(Object.assign(document.createElement('th'), { textContent: 'true \\ predicted' }));
  for (let d = 0; d < 10; d++) head.append(Object.assign(document.createElement('th'), { textContent: String(d) }));
  const body = table.tBodies[0] ?? table.createTBody();
  table.tHead?.replaceChildren(head);
  body.replaceChildren();
  matrix.forEach((row, t) => {
    const tr = body.insertRow();
    tr.append(Object.assign(document.createElement('th'), { textContent: String(t) }));
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const cell = tr.insertCell();
      cell.textContent = count ? String(count) : '';
      const share = count / total;
      cell.style.background = t === p ? `rgba(37, 99, 235, ${share})` : `rgba(220, 38, 38, ${Math.min(1, share * 4)})`;
      if (share > 0.5) cell.style.color = 'white';
    });
  });
}

/** Paints one 28x28 digit (pixels in [0, 1]) onto a canvas, white on black. */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, offset = 0): void {
  canvas.width = 28;
  canvas.height = 28;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const image = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round((pixels[offset + i] as number) * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

export function renderSamples(root: HTMLElement, test: Digits, predicted: ArrayLike<number>, count = 24): void {
  root.replaceChildren();
  for (let i = 0; i < Math.min(count, test.count); i++) {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    paintDigit(canvas, test.pixels, i * 784);
    const right = predicted[i] === test.labels[i];
    const caption = Object.assign(document.createElement('figcaption'), {
      textContent: right ? String(predicted[i]) : `${predicted[i]} (${test.labels[i]})`,
      className: right ? 'right' : 'wrong',
    });
    figure.append(canvas, caption);
    root.append(figure);
  }
}
