import { describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter, softwareAllowed } from '../../../../src-main/lab/engine/webgpu/software-adapter.ts';

const names = (device: string, description = '', vendor = '', architecture = '') => ({ vendor, architecture, device, description });

describe('software adapters', () => {
  it('are recognised by name, whatever Dawn says about fallback', () => {
    expect(isSoftwareAdapter(names('llvmpipe-llvm-15-0-6-256-bits-', 'OpenGL ES 3.2 Mesa 22.3.6'), false)).toBe(true);
    expect(isSoftwareAdapter(names('SwiftShader Device (Subzero)', '', 'google'), false)).toBe(true);
    expect(isSoftwareAdapter(names('Microsoft Basic Render Driver'), false)).toBe(true);
    expect(isSoftwareAdapter(names('llvmpipe (LLVM 15.0.6, 256 bits)', 'Mesa lavapipe'), false)).toBe(true);
  });

  it('include anything Dawn calls a fallback adapter', () => {
    expect(isSoftwareAdapter(names('Some Device'), true)).toBe(true);
  });

  it('exclude real GPUs', () => {
    expect(isSoftwareAdapter(names('NVIDIA H200', 'NVIDIA: 550.54.15', 'nvidia', 'hopper'), false)).toBe(false);
    expect(isSoftwareAdapter(names('Apple M2', 'Metal driver', 'apple', 'metal-3'), false)).toBe(false);
    expect(isSoftwareAdapter(names('AMD Radeon RX 7900 XTX (RADV NAVI31)', 'radv Mesa 24.0', 'amd', 'rdna-3'), false)).toBe(false);
    expect(isSoftwareAdapter(names('Intel(R) Arc(tm) A770 Graphics (DG2)', 'Intel open-source Mesa driver: Mesa 24.0', 'intel', 'gen-12hp'), false)).toBe(false);
  });

  it('are allowed only by LAYERLAB_WEBGPU_ALLOW_SOFTWARE=1 exactly', () => {
    expect(softwareAllowed({ LAYERLAB_WEBGPU_ALLOW_SOFTWARE: '1' })).toBe(true);
    expect(softwareAllowed({ LAYERLAB_WEBGPU_ALLOW_SOFTWARE: 'yes' })).toBe(false);
    expect(softwareAllowed({})).toBe(false);
  });

  it('are described in one line, marked as software', () => {
    const limits = { maxStorageBufferBindingSize: 1, maxBufferSize: 1, maxComputeWorkgroupStorageSize: 1, maxComputeInvocationsPerWorkgroup: 1 };
    const base = { api: 'native', featureLevel: 'core', limits } as const;
    expect(describeAdapter({ ...base, ...names('NVIDIA H200', 'NVIDIA: 550.54.15', 'nvidia', 'hopper'), software: false })).toBe('NVIDIA H200 (nvidia, hopper, NVIDIA: 550.54.15)');
    expect(describeAdapter({ ...base, ...names('llvmpipe', 'Mesa'), software: true })).toBe('llvmpipe (Mesa) [software]');
  });
});
