import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, with the flags that keep it off every network but loopback. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A real WebGPU adapter in headless Chromium with no GPU: SwiftShader's Vulkan, on the CPU
 * (only on a secure origin such as http://127.0.0.1). onnxruntime-web's WebGPU backend runs its
 * real shaders there, so results can be checked; it is far slower than any GPU, so never time it.
 */
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];

/** A camera that shows Chromium's test pattern, allowed without a prompt. */
export const FAKE_CAMERA_FLAGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.LOUPE_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_FLAGS, ...extraArgs],
  });
}

/** A phone-sized page: the product is used on phones first. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  hasTouch: true,
};
