/** The switch over brickml's own kernels (webgpu-kernels.ts, wasm-kernels.ts). */
let enabled = true;

/**
 * Switches brickml's own kernels on (the default) or off; off, the same math runs as tfjs ops. For
 * comparing the two, or working around a driver or engine that miscompiles one.
 */
export function setOwnKernels(on: boolean): void {
  enabled = on;
}

export function ownKernelsOn(): boolean {
  return enabled;
}
