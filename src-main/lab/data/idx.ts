// IDX reader (the MNIST file format): 2 zero bytes, a type byte, a dimension count, then
// big-endian uint32 dims and the data. Every check names the file so a user can act on it.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** A problem with a dataset or one of its files; the message is meant for the user. */
export class DatasetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatasetError';
  }
}

export interface IdxArray {
  dims: number[];
  /** Row-major values; exactly the product of dims. */
  data: Uint8Array;
}

export interface IdxFile extends IdxArray {
  /** The whole file as parsed (already decompressed): what gets hashed and stored. */
  bytes: Uint8Array;
}

const UBYTE = 0x08;
const MAX_DIMS = 4;
/** Bounds every IDX file, plain or decompressed (a gzip bomb, a huge plain file); far above the 47 MB of the MNIST training images. */
export const MAX_IDX_BYTES = 1 << 30;

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: '16-bit integer',
  0x0c: '32-bit integer',
  0x0d: '32-bit float',
  0x0e: '64-bit float',
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
const headBytes = (bytes: Uint8Array): string =>
  Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');

/** Parse an (uncompressed) IDX file. `label` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, label: string): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetError(`${label} is too short to be an IDX file (${bytes.length} bytes; the header alone needs at least 4)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(`${label} is not an IDX file: it starts with bytes ${headBytes(bytes)}, an IDX file starts with 00 00`);
  }
  const type = bytes[2] ?? 0;
  if (type !== UBYTE) {
    const known = TYPE_NAMES[type];
    throw new DatasetError(
      known
        ? `${label} holds ${known} values (IDX type ${hex(type)}); only unsigned-byte IDX files (type 0x08) are supported`
        : `${label} has an unknown IDX data type ${hex(type)}; only unsigned-byte IDX files (type 0x08) are supported`,
    );
  }
  const ndim = bytes[3] ?? 0;
  if (ndim === 0 || ndim > MAX_DIMS) {
    throw new DatasetError(`${label} declares ${ndim} dimensions; an IDX file here must have 1 to ${MAX_DIMS}`);
  }
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) {
    throw new DatasetError(`${label} is truncated: its header needs ${headerLength} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = headerLength + dims.reduce((a, b) => a * b, 1);
  if (bytes.length < expected) {
    throw new DatasetError(`${label} is truncated: expected ${expected} bytes for dimensions [${dims.join(', ')}], got ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      `${label} has ${bytes.length - expected} unexpected bytes after the data: expected ${expected} bytes for dimensions [${dims.join(', ')}], got ${bytes.length}`,
    );
  }
  // A plain Uint8Array view (not a Buffer, no copy): it crosses process boundaries cleanly.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, expected - headerLength) };
}

/** An unsigned-byte IDX file of these dimensions holding `data` (whose length must be their product). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || dims.length > MAX_DIMS || size !== data.length) throw new Error(`encodeIdx: ${data.length} bytes do not fill dimensions [${dims.join(', ')}]`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}

/** The file's bytes, gunzipped when it starts with the gzip magic 1f 8b. */
export function readIdxBytes(path: string, label: string = path): Uint8Array {
  let raw: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    // Judged before a byte is read: /dev/zero or a pipe would be read forever, a huge file whole.
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new DatasetError(`${label} is a folder, not an IDX file`);
    if (!stat.isFile()) throw new DatasetError(`${label} is not a regular file (a device, pipe or socket); give an IDX file`);
    if (stat.size > MAX_IDX_BYTES) throw new DatasetError(`${label} is ${(stat.size / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_IDX_BYTES / 2 ** 20} MiB an IDX dataset file may be`);
    raw = readFileSync(fd);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(`${label} does not exist`, { cause: err });
    if (code === 'EISDIR') throw new DatasetError(`${label} is a folder, not an IDX file`, { cause: err });
    throw new DatasetError(`${label} could not be read: ${(err as Error).message}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_IDX_BYTES });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new DatasetError(
      tooBig
        ? `${label} decompresses to more than ${MAX_IDX_BYTES / 2 ** 20} MiB, too large for an IDX dataset file`
        : `${label} looks gzip-compressed but is damaged and cannot be decompressed (${(err as Error).message})`,
      { cause: err },
    );
  }
}

/** Read and parse an IDX file (plain or gzipped). */
export function readIdxFile(path: string, label: string = path): IdxFile {
  const bytes = readIdxBytes(path, label);
  return { ...parseIdx(bytes, label), bytes };
}
