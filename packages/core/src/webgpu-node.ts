/**
 * WebGPU in Node through Dawn (the `webgpu` package): a hardware adapter (Vulkan/Metal/D3D) when one
 * exists, else Mesa's software OpenGL in compatibility mode, which is what CPU-only machines have.
 */
export type WebGPUAdapterKind = 'hardware' | 'software';

interface DawnModule {
  create(flags: string[]): { requestAdapter(opts?: object): Promise<GPUAdapterLike | null> };
  globals: Record<string, unknown>;
}
interface GPUAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

function isSoftware(adapter: GPUAdapterLike): boolean {
  const info = adapter.info;
  const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.device ?? ''} ${info?.description ?? ''}`;
  return /swiftshader|llvmpipe|lavapipe|softpipe|mesa|software/i.test(text);
}

let keepAlive: unknown = null;

export function webgpuInstance(): unknown {
  return keepAlive;
}

export async function setupNodeWebGPU(allowSoftware: boolean): Promise<WebGPUAdapterKind> {
  let dawn: DawnModule;
  try {
    // A name in a variable: bundlers leave this Node-only package out of browser builds.
    const pkg = 'webgpu';
    dawn = (await import(/* @vite-ignore */ pkg)) as unknown as DawnModule;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`the 'webgpu' package (Dawn for Node) is missing: ${why}`);
  }
  Object.assign(globalThis, dawn.globals);
  let kind: WebGPUAdapterKind = 'hardware';
  let gpu = dawn.create([]);
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter || isSoftware(adapter)) {
    if (!allowSoftware) throw new Error('no hardware WebGPU adapter');
    process.env.EGL_PLATFORM ??= 'surfaceless';
    gpu = dawn.create(['backend=opengl']);
    adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' }).catch(() => null);
    kind = 'software';
  }
  if (!adapter)
    throw new Error(
      'no WebGPU adapter (for the software fallback: apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)',
    );
  const chosen = adapter;
  // Dawn tears its instance down when the GPU object is collected, even while the device is in use.
  keepAlive = gpu;
  // tfjs-backend-webgpu asks navigator.gpu for its adapter; hand it the one found above.
  const g = globalThis as { navigator?: object };
  if (!g.navigator) g.navigator = {};
  const nav = g.navigator;
  Object.defineProperty(nav, 'gpu', {
    configurable: true,
    value: {
      requestAdapter: async () => chosen,
      getPreferredCanvasFormat: () => 'rgba8unorm',
      wgslLanguageFeatures: new Set(),
    },
  });
  return kind;
}
