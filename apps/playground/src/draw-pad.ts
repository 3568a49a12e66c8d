/**
 * A pad to draw a digit on. MNIST digits are white on black, fit in a 20x20 box and are centred by their
 * centre of mass in 28x28; the drawing is brought to the same form before the model sees it.
 */
export class DrawPad {
  private drawing = false;
  private inked = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    onStroke: () => void,
  ) {
    this.clear();
    const ctx = this.ctx();
    const point = (e: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      return [
        ((e.clientX - r.left) * canvas.width) / r.width,
        ((e.clientY - r.top) * canvas.height) / r.height,
      ] as const;
    };
    canvas.addEventListener('pointerdown', (e) => {
      this.drawing = true;
      this.inked = true;
      canvas.setPointerCapture(e.pointerId);
      ctx.beginPath();
      ctx.moveTo(...point(e));
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      ctx.lineTo(...point(e));
      ctx.stroke();
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      onStroke();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  private ctx(): CanvasRenderingContext2D {
    return this.canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  }

  clear(): void {
    const ctx = this.ctx();
    ctx.fillStyle = 'black';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    Object.assign(ctx, {
      strokeStyle: 'white',
      lineWidth: this.canvas.width / 12,
      lineCap: 'round',
      lineJoin: 'round',
    });
    this.inked = false;
  }

  /** The drawing as 784 pixels in [0, 1], MNIST's way; null while the pad is empty. */
  digit(): Float32Array | null {
    if (!this.inked) return null;
    const { width: w, height: h } = this.canvas;
    const ink = this.ctx().getImageData(0, 0, w, h).data;
    let [x0, y0, x1, y1] = [w, h, -1, -1];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if ((ink[(y * w + x) * 4] as number) < 32) continue;
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
    if (x1 < 0) return null;
    // The ink's box scaled into 20x20, then moved so its centre of mass sits at the centre.
    const side = Math.max(x1 - x0, y1 - y0) + 1;
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    const sctx = small.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    const scale = 20 / side;
    const [bw, bh] = [(x1 - x0 + 1) * scale, (y1 - y0 + 1) * scale];
    sctx.drawImage(this.canvas, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (28 - bw) / 2, (28 - bh) / 2, bw, bh);
    const px = sctx.getImageData(0, 0, 28, 28).data;
    let [mass, mx, my] = [0, 0, 0];
    for (let i = 0; i < 784; i++) {
      const v = (px[i * 4] as number) / 255;
      mass += v;
      mx += v * (i % 28);
      my += v * Math.floor(i / 28);
    }
    const [dx, dy] = [Math.round(13.5 - mx / mass), Math.round(13.5 - my / mass)];
    const out = new Float32Array(784);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const [sx, sy] = [x - dx, y - dy];
        if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = (px[(sy * 28 + sx) * 4] as number) / 255;
      }
    }
    return out;
  }
}
