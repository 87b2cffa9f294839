// Starts tfjs-backend-webgpu on the adapter Dawn found. tfjs's own registration asks navigator.gpu for an adapter
// without a feature level (so it never finds Mesa's OpenGL ES one) and only when navigator.gpu exists at import
// time; Layerlab registers its own factory over the device it requested instead, with the adapter's full limits.
import type { GpuAdapterReport } from '../../../../src-shared/index.ts';
import type { Tf } from '../../model/tf-types.ts';
import type { DawnDevice, DawnGpu, FoundAdapter } from './dawn-adapter.ts';

export const WEBGPU_BACKEND_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

interface WebGpuBackendModule {
  WebGPUBackend: new (device: DawnDevice, adapterInfo: unknown) => object;
}

interface ActiveDevice {
  gpu: DawnGpu;
  device: DawnDevice;
  adapter: GpuAdapterReport;
  /** Why the device was lost, once it was (Dawn's reason and message); null while it works. */
  lost: string | null;
}

let active: ActiveDevice | null = null;

/** navigator.gpu for tfjs-backend-webgpu, which checks it in its constructor (Node 20 has no navigator at all). */
function exposeGpu(gpu: DawnGpu | undefined): void {
  const g = globalThis as { navigator?: { gpu?: DawnGpu } };
  if (gpu === undefined) {
    if (g.navigator) Reflect.deleteProperty(g.navigator, 'gpu');
    return;
  }
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

/** Requests the device and makes 'webgpu' tf's backend. One device per process: a second call reuses it. */
export async function activateWebGpu(tf: Tf, found: FoundAdapter): Promise<GpuAdapterReport> {
  if (!active) {
    const l = found.adapter.limits;
    const device = await found.adapter.requestDevice({
      requiredFeatures: found.adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
      // The defaults are far below what GPUs have (128 MiB storage buffers); ask for the adapter's own limits.
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      },
    });
    const current: ActiveDevice = { gpu: found.gpu, device, adapter: found.report, lost: null };
    void device.lost.then((info) => {
      current.lost = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
    });
    exposeGpu(found.gpu);
    const { WebGPUBackend } = (await import(WEBGPU_BACKEND_PACKAGE)) as WebGpuBackendModule;
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    // Priority 0: tf never picks it by itself; Layerlab always names the backend it wants.
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, found.adapter.info) as never, 0);
    active = current;
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu did not initialise on the device');
  await tf.ready();
  return active.adapter;
}

/** Why the WebGPU device was lost (driver reset, GPU removed, out of memory), or null while it works. */
export function webGpuDeviceLost(): string | null {
  return active?.lost ?? null;
}

/** Ends the device and drops the Dawn instance, so the process can exit (dawn.node keeps it alive otherwise). */
export function releaseWebGpu(tf?: Tf): void {
  if (!active) return;
  if (tf?.findBackend('webgpu')) tf.removeBackend('webgpu');
  active.device.destroy();
  exposeGpu(undefined);
  active = null;
}

/** Test seam: loses the device the way a driver reset would (Dawn reports reason "destroyed"). */
export function destroyWebGpuDeviceForTest(): void {
  active?.device.destroy();
}
