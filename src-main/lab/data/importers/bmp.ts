// Windows BMP, which sharp's prebuilt libvips does not read: the uncompressed kinds image
// folders hold in practice (8-bit palette, 24-bit, 32-bit), decoded to RGB for sharp's raw input.
import { DatasetError } from '../idx.ts';

export interface RawRgb {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
/** Bounds a header's claims before anything is allocated. */
const MAX_BMP_SIDE = 16_384;

export function decodeBmp(bytes: Uint8Array, label: string): RawRgb {
  const fail = (why: string): never => {
    throw new DatasetError(`${label} cannot be read as a BMP image: ${why}`);
  };
  if (bytes.length < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) fail('it does not start with a BMP header ("BM")');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) fail(`its header is of an old kind (${headerSize} bytes); save it as a newer BMP or PNG`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bitCount = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height === 0 || width > MAX_BMP_SIDE || height > MAX_BMP_SIDE) fail(`its size ${width}×${height} is not valid`);
  if (![8, 24, 32].includes(bitCount)) fail(`${bitCount}-bit BMP images are not supported (8, 24 or 32 bits are)`);
  if (compression !== BI_RGB && !(compression === BI_BITFIELDS && bitCount === 32)) fail(`compressed BMP images are not supported (compression ${compression})`);
  const rowBytes = Math.ceil((width * bitCount) / 32) * 4;
  if (dataOffset + rowBytes * height > bytes.length) fail(`it is truncated (${bytes.length} bytes; its pixels need ${dataOffset + rowBytes * height})`);

  let palette: Uint8Array | null = null;
  if (bitCount === 8) {
    const colours = view.getUint32(46, true) || 256;
    const paletteStart = 14 + headerSize;
    if (colours > 256 || paletteStart + colours * 4 > dataOffset) fail('its colour table is damaged');
    palette = bytes.subarray(paletteStart, paletteStart + colours * 4);
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette !== null) {
        const index = bytes[row + x] ?? 0;
        if (index * 4 + 2 >= palette.length) fail(`pixel (${x}, ${y}) uses colour ${index}, beyond its colour table`);
        // Palette entries are blue, green, red, reserved.
        out[o] = palette[index * 4 + 2] ?? 0;
        out[o + 1] = palette[index * 4 + 1] ?? 0;
        out[o + 2] = palette[index * 4] ?? 0;
      } else {
        const p = row + x * (bitCount / 8);
        out[o] = bytes[p + 2] ?? 0;
        out[o + 1] = bytes[p + 1] ?? 0;
        out[o + 2] = bytes[p] ?? 0;
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}
