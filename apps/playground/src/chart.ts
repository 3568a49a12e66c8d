/**
 * The live training chart, drawn on a canvas: the loss of each batch (faint) and its running average on
 * the left axis, the accuracy on held-out digits on the right axis (0-100%), both against the batch.
 */
export class TrainingChart {
  private losses: number[] = [];
  private accuracies: [number, number][] = [];
  private steps = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  reset(steps: number): void {
    this.steps = Math.max(1, steps);
    this.losses = [];
    this.accuracies = [];
    this.draw();
  }

  addLoss(loss: number): void {
    this.losses.push(loss);
  }

  addAccuracy(step: number, accuracy: number): void {
    this.accuracies.push([step, accuracy]);
  }

  draw(): void {
    const { canvas } = this;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    const [w, h, left, right, top, bottom] = [canvas.width, canvas.height, 44, 44, 14, 24];
    const x = (step: number) => left + ((w - left - right) * step) / this.steps;
    let avg = this.losses[0] ?? 0;
    const smoothed = this.losses.map((l) => {
      avg = 0.9 * avg + 0.1 * l;
      return avg;
    });
    // The running average sets the scale: a single bad batch would flatten the rest.
    const maxLoss = Math.max(0.5, ...smoothed);
    const yLoss = (v: number) => top + (h - top - bottom) * (1 - Math.min(v, maxLoss) / maxLoss);
    const yAcc = (v: number) => top + (h - top - bottom) * (1 - v);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = '#e5e7eb';
    ctx.fillStyle = '#6b7280';
    for (let k = 0; k <= 4; k++) {
      const y = yAcc(k / 4);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(w - right, y);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(((maxLoss * k) / 4).toFixed(2), left - 6, y + 4);
      ctx.textAlign = 'left';
      ctx.fillText(`${k * 25}%`, w - right + 6, y + 4);
    }
    ctx.textAlign = 'center';
    ctx.fillText(`batch (of ${this.steps})`, (left + w - right) / 2, h - 6);
    const line = (points: [number, number][], color: string, width: number) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      for (const [i, [px, py]] of points.entries()) {
        if (i) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
      }
      ctx.stroke();
      ctx.lineWidth = 1;
    };
    const smooth = smoothed.map((l, i): [number, number] => [x(i + 1), yLoss(l)]);
    line(
      this.losses.map((l, i) => [x(i + 1), yLoss(l)]),
      '#fecaca',
      1,
    );
    line(smooth, '#dc2626', 2);
    line(
      this.accuracies.map(([s, a]) => [x(s), yAcc(a)]),
      '#2563eb',
      2,
    );
    ctx.textAlign = 'left';
    ctx.fillStyle = '#dc2626';
    ctx.fillText('loss', left + 6, top + 10);
    ctx.fillStyle = '#2563eb';
    ctx.fillText('accuracy on test digits', left + 40, top + 10);
  }
}
