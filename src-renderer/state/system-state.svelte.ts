// What the lab says about itself: version, datasets, and which backend runs training and why.
import type { LabApi, SystemInfo } from '../../src-shared/api.ts';
import type { BackendName, BackendProbe, BackendReport } from '../../src-shared/runs.ts';
import { BACKEND_NAMES, WEBGPU_ALLOW_SOFTWARE_VARIABLE } from '../../src-shared/runs.ts';
import { CONNECTION_EVENT } from '../lib/transport/pick-transport.ts';
import { messageOf } from './run-state.svelte.ts';

export const BACKEND_TITLES: Record<BackendName, string> = {
  'tensorflow-gpu': 'TensorFlow GPU (tfjs-node-gpu)',
  webgpu: 'WebGPU (Dawn: Vulkan, Metal or D3D12)',
  tensorflow: 'TensorFlow CPU (tfjs-node)',
  wasm: 'WebAssembly (tfjs-backend-wasm)',
  cpu: 'Plain JavaScript (tfjs-backend-cpu)',
};

export const BACKEND_SHORT: Record<BackendName, string> = {
  'tensorflow-gpu': 'GPU',
  webgpu: 'WebGPU',
  tensorflow: 'TensorFlow CPU',
  wasm: 'WASM',
  cpu: 'JS CPU',
};

/** What each backend needs to be usable, for the backend doctor. */
export const BACKEND_NEEDS: Record<BackendName, string> = {
  'tensorflow-gpu': 'Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1, and @tensorflow/tfjs-node-gpu installed (its install downloads libtensorflow)',
  webgpu:
    `a GPU with a Vulkan (Linux, Windows), Metal (macOS) or D3D12 (Windows) driver; on Linux the Vulkan loader libvulkan.so.1. A software adapter only with ${WEBGPU_ALLOW_SOFTWARE_VARIABLE}=1`,
  tensorflow: '@tensorflow/tfjs-node installed (its install downloads libtensorflow for this platform)',
  wasm: 'nothing: bundled with Layerlab',
  cpu: 'nothing: always available (slowest)',
};

export interface BackendVerdict {
  chosen: BackendName;
  /** The best backend in preference order, available or not. */
  best: BackendName;
  isBest: boolean;
  /** Why the better ones were not used, best first. */
  reasons: { backend: BackendName; reason: string }[];
  /** The user asked for a specific backend. */
  requested: string;
}

/** Reads a backend report: is the chosen one the best, and if not, why. */
export function judgeBackend(report: BackendReport): BackendVerdict {
  const best = BACKEND_NAMES[0];
  const chosenRank = BACKEND_NAMES.indexOf(report.chosen);
  const byName = new Map<BackendName, BackendProbe>(report.probes.map((p) => [p.backend, p]));
  const reasons = BACKEND_NAMES.slice(0, Math.max(0, chosenRank)).map((backend) => {
    const probe = byName.get(backend);
    const reason = !probe
      ? 'not probed'
      : probe.available
        ? report.requested !== 'auto'
          ? `available, but "${report.requested}" was requested`
          : report.timing
            ? report.timing.reason
            : 'available but not chosen'
        : (probe.reason ?? 'not available');
    return { backend, reason };
  });
  return { chosen: report.chosen, best, isBest: chosenRank === 0, reasons, requested: report.requested };
}

export class SystemState {
  info = $state.raw<SystemInfo | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  /** The web bridge's event socket: null until known (and always in Electron), false while it is down. */
  connected = $state<boolean | null>(null);

  readonly verdict: BackendVerdict | null = $derived(this.info ? judgeBackend(this.info.backend) : null);

  constructor(private readonly api: LabApi) {}

  /**
   * Follows the connection to the lab (the web bridge reports it on window). When it comes back
   * after a drop, the lab is asked again and onReconnect runs (events may have been missed).
   */
  watchConnection(onReconnect: () => void, target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window): () => void {
    const listener = (event: Event) => {
      const up = (event as CustomEvent<unknown>).detail === true;
      const wasDown = this.connected === false;
      this.connected = up;
      if (up && wasDown) {
        void this.load();
        onReconnect();
      }
    };
    target.addEventListener(CONNECTION_EVENT, listener);
    return () => target.removeEventListener(CONNECTION_EVENT, listener);
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.info = await this.api.getSystemInfo(undefined);
      this.error = null;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }
}
