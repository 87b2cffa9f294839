// Image files for importer tests, generated with sharp (and a hand-written BMP) so every
// expected pixel is known.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';

export type Format = 'png' | 'jpeg' | 'webp';

/** Write `pixels` (height × width × channels bytes) as an image file. */
export async function writeImage(path: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 3, format: Format = 'png'): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  let image = sharp(Buffer.from(pixels), { raw: { width, height, channels } });
  image = format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }) : image.webp({ lossless: true });
  writeFileSync(path, await image.toBuffer());
  return path;
}

/** A solid image of one grey value or one RGB colour. */
export function solid(width: number, height: number, value: number | [number, number, number]): { pixels: Uint8Array; channels: 1 | 3 } {
  const colour = typeof value === 'number' ? [value] : value;
  const pixels = new Uint8Array(width * height * colour.length);
  for (let i = 0; i < width * height; i++) pixels.set(colour, i * colour.length);
  return { pixels, channels: colour.length as 1 | 3 };
}

/** A 24-bit bottom-up BMP of RGB pixels. */
export function bmp24(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const out = new Uint8Array(54 + rowBytes * height);
  const view = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  view.setUint32(2, out.length, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * 3;
      const dst = 54 + (height - 1 - y) * rowBytes + x * 3;
      out[dst] = pixels[src + 2] as number;
      out[dst + 1] = pixels[src + 1] as number;
      out[dst + 2] = pixels[src] as number;
    }
  }
  return out;
}
