/**
 * Downloads: the spec as JSON, and the trained model in brickml's save format through tfjs' downloads://
 * handler (`<name>.json` with the spec, compile settings and optimizer state, `<name>.weights.bin`).
 */
import type { Model } from 'brickml';

export function downloadSpec(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: `${name}.spec.json` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function downloadModel(model: Model, name: string): Promise<void> {
  await model.save(`downloads://${name}`);
}
