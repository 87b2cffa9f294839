// A ZIP archive of stored (uncompressed) files, for exports that are several files but must be
// one download: a tfjs model is model.json plus its weights, and two downloads mean two Save
// dialogs in Electron that must land in the same folder. Stored entries keep this to the
// format's fixed headers (APPNOTE 6.3: local headers, central directory, end record); the
// weights are float32 and barely compress anyway. Limits: under 4 GiB and 65535 entries (no ZIP64).

export interface ZipEntry {
  /** Path inside the archive, "/"-separated (UTF-8, flagged as such). */
  name: string;
  data: Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time, as ZIP headers store them (local time, 2-second steps, from 1980). */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

const UTF8_FLAG = 0x0800;
const VERSION = 20;

/** The run of fields local and central headers share, from "flags" to "file name length". */
function writeEntryFields(view: DataView, at: number, f: { time: number; date: number; crc: number; size: number; nameLength: number }): void {
  view.setUint16(at, UTF8_FLAG, true);
  view.setUint16(at + 2, 0, true); // method: stored
  view.setUint16(at + 4, f.time, true);
  view.setUint16(at + 6, f.date, true);
  view.setUint32(at + 8, f.crc, true);
  view.setUint32(at + 12, f.size, true); // compressed size
  view.setUint32(at + 16, f.size, true);
  view.setUint16(at + 20, f.nameLength, true);
}

export function zipStore(entries: ZipEntry[], modified = new Date()): Uint8Array<ArrayBuffer> {
  if (entries.length > 0xffff) throw new RangeError('a zip archive holds at most 65535 files');
  const encoder = new TextEncoder();
  const { time, date } = dosDateTime(modified);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const size = entry.data.length;
    if (size > 0xfffffffe || offset > 0xfffffffe) throw new RangeError('a zip archive without ZIP64 holds under 4 GiB');
    const crc = crc32(entry.data);
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, VERSION, true);
    writeEntryFields(l, 6, { time, date, crc, size, nameLength: name.length });
    // extra field length stays 0.
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, VERSION, true);
    c.setUint16(6, VERSION, true);
    writeEntryFields(c, 8, { time, date, crc, size, nameLength: name.length });
    // extra, comment, disk number, internal and external attributes stay 0.
    c.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, entry.data);
    centrals.push(central);
    offset += local.length + size;
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
