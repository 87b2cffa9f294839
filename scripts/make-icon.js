// Renders assets/icon.png (512×512) from the same shapes as assets/icon.svg, with no image
// library: three stacked layer outlines on an indigo rounded square, written as a PNG by hand.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const S = 512;
const px = new Uint8Array(S * S * 4);
const inRoundRect = (x, y) => {
  const r = 96;
  const cx = Math.min(Math.max(x, r), S - r);
  const cy = Math.min(Math.max(y, r), S - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const distToSegment = (x, y, [ax, ay], [bx, by]) => {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
};
const lines = [
  [[256, 112], [400, 184]], [[400, 184], [256, 256]], [[256, 256], [112, 184]], [[112, 184], [256, 112]],
  [[112, 256], [256, 328]], [[256, 328], [400, 256]],
  [[112, 328], [256, 400]], [[256, 400], [400, 328]],
];
for (let y = 0; y < S; y++) {
  for (let x = 0; x < S; x++) {
    const i = (y * S + x) * 4;
    if (!inRoundRect(x + 0.5, y + 0.5)) continue;
    const d = Math.min(...lines.map((l) => distToSegment(x + 0.5, y + 0.5, l[0], l[1])));
    const ink = Math.max(0, Math.min(1, 14.5 - d));
    px[i] = Math.round(0x4f + (255 - 0x4f) * ink);
    px[i + 1] = Math.round(0x46 + (255 - 0x46) * ink);
    px[i + 2] = Math.round(0xe5 + (255 - 0xe5) * ink);
    px[i + 3] = 255;
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
const raw = Buffer.alloc(S * (S * 4 + 1));
for (let y = 0; y < S; y++) Buffer.from(px.buffer, y * S * 4, S * 4).copy(raw, y * (S * 4 + 1) + 1);
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(S, 0);
ihdr.writeUInt32BE(S, 4);
ihdr[8] = 8;
ihdr[9] = 6;
writeFileSync(new URL('../assets/icon.png', import.meta.url), Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
