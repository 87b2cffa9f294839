// CSV datasets such as Kaggle's "Digit Recognizer" train.csv: one image per row, a label
// column and one column per pixel (0–255 integers or 0–1 decimals). Parsed as a stream with
// csv-parse, so memory holds the images as bytes, never the text; every refusal names the file,
// the line and the cause.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import {
  MAX_CSV_BYTES,
  MAX_TEST_FRACTION,
  type CsvImportOptions,
  type ImportProgress,
} from '../../../../src-shared/dataset-import.ts';
import { classNamesProblem, imageShapeProblem, MAX_CLASSES, MAX_DATASET_EXAMPLES, MAX_DATASET_PIXEL_BYTES, type ImageShape } from '../../../../src-shared/dataset-shape.ts';
import { DatasetError } from '../idx.ts';
import type { NewDataset } from './save-dataset.ts';
import { selectByMask, testMask } from './split.ts';

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
const CLASS_NUMBER = /^\d+$/;
/** Rows per storage chunk: memory grows by chunks, never by copying everything so far. */
const CHUNK_ROWS = 2048;
const classOrder = new Intl.Collator('en', { numeric: true }).compare;

/** Columns of a CSV as its first file fixed them. */
interface Columns {
  hasHeader: boolean;
  header: string[] | null;
  count: number;
  labelIndex: number;
  imageShape: ImageShape;
}

/** Pixel scale as decided so far: 'auto' until a value other than 0 or 1 shows which. */
interface RangeState {
  mode: 'auto' | '255' | '1';
  /** Where auto decided, for messages. */
  decidedAt: string;
  /** Rows stored while undecided (0 and 1 only): scaled to 0/255 if the file turns out to be 0–1. */
  undecidedRows: number[];
}

class ByteRows {
  private readonly chunks: Uint8Array[] = [];
  count = 0;
  constructor(private readonly rowBytes: number) {}
  /** The next row's storage. */
  next(): Uint8Array {
    const inChunk = this.count % CHUNK_ROWS;
    if (inChunk === 0) this.chunks.push(new Uint8Array(CHUNK_ROWS * this.rowBytes));
    this.count++;
    const chunk = this.chunks[this.chunks.length - 1] as Uint8Array;
    return chunk.subarray(inChunk * this.rowBytes, (inChunk + 1) * this.rowBytes);
  }
  row(i: number): Uint8Array {
    const chunk = this.chunks[Math.floor(i / CHUNK_ROWS)] as Uint8Array;
    const at = (i % CHUNK_ROWS) * this.rowBytes;
    return chunk.subarray(at, at + this.rowBytes);
  }
  toArray(): Uint8Array {
    const out = new Uint8Array(this.count * this.rowBytes);
    for (let i = 0; i < this.chunks.length; i++) {
      const rows = Math.min(CHUNK_ROWS, this.count - i * CHUNK_ROWS);
      out.set((this.chunks[i] as Uint8Array).subarray(0, rows * this.rowBytes), i * CHUNK_ROWS * this.rowBytes);
    }
    return out;
  }
}

interface ParsedCsv {
  pixels: ByteRows;
  /** Index into the shared label list, per row. */
  labelIds: number[];
}

/** Read a CSV (and its optional test CSV) into a dataset (not yet saved). */
export async function readCsvDataset(
  file: string,
  options: CsvImportOptions,
  onProgress: (p: ImportProgress) => void = () => {},
): Promise<Omit<NewDataset, 'title'>> {
  if (options.testCsv === null && !(options.testFraction > 0 && options.testFraction <= MAX_TEST_FRACTION)) {
    throw new DatasetError(`the test fraction must be above 0 and at most ${MAX_TEST_FRACTION}, got ${options.testFraction}`);
  }
  const total = csvSize(file) + (options.testCsv === null ? 0 : csvSize(options.testCsv));
  const progress = { done: 0, total };
  const labelTexts: string[] = [];
  const labelIds = new Map<string, number>();
  const range: RangeState = { mode: options.pixelRange, decidedAt: '', undecidedRows: [] };
  const context = { options, labelTexts, labelIds, range, progress, onProgress };
  const train = await parseCsv(file, null, context);
  const testColumns = train.columns;
  const test = options.testCsv === null ? null : await parseCsv(options.testCsv, testColumns, { ...context, range: { mode: range.mode === 'auto' ? 'auto' : range.mode, decidedAt: range.decidedAt, undecidedRows: [] } });
  finishRange(file, train.parsed, range);
  if (test !== null) finishRange(options.testCsv as string, test.parsed, test.range);

  const { classNames, labelOf } = classesFrom(labelTexts, file);
  const imageShape = train.columns.imageShape;
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  const toLabels = (p: ParsedCsv): Uint8Array => Uint8Array.from(p.labelIds, (id) => labelOf[id] as number);
  const trainLabels = toLabels(train.parsed);
  if (test !== null) {
    return {
      imageShape,
      classNames,
      source: 'csv',
      train: { images: train.parsed.pixels.toArray(), labels: trainLabels },
      test: { images: test.parsed.pixels.toArray(), labels: toLabels(test.parsed) },
    };
  }
  const all = train.parsed.pixels.toArray();
  const mask = testMask(trainLabels, classNames.length, options.testFraction, options.seed);
  return { imageShape, classNames, source: 'csv', train: selectByMask(all, trainLabels, pixels, mask, 0), test: selectByMask(all, trainLabels, pixels, mask, 1) };
}

function csvSize(file: string): number {
  let stat;
  try {
    stat = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (stat.isDirectory()) throw new DatasetError(`${file} is a folder, not a CSV file`);
  if (!stat.isFile()) throw new DatasetError(`${file} is not a regular file; give a CSV file`);
  if (stat.size === 0) throw new DatasetError(`${file} is empty`);
  if (stat.size > MAX_CSV_BYTES) throw new DatasetError(`${file} is ${(stat.size / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_CSV_BYTES / 2 ** 20} MiB a CSV import may read`);
  return stat.size;
}

interface ParseContext {
  options: CsvImportOptions;
  labelTexts: string[];
  labelIds: Map<string, number>;
  range: RangeState;
  progress: { done: number; total: number };
  onProgress: (p: ImportProgress) => void;
}

async function parseCsv(file: string, fixed: Columns | null, ctx: ParseContext): Promise<{ columns: Columns; parsed: ParsedCsv; range: RangeState }> {
  const stream = createReadStream(file);
  let lastReport = 0;
  stream.on('data', (chunk) => {
    ctx.progress.done += chunk.length;
    if (ctx.progress.done - lastReport >= 1 << 20) {
      lastReport = ctx.progress.done;
      ctx.onProgress({ phase: 'reading', done: ctx.progress.done, total: ctx.progress.total, unit: 'bytes' });
    }
  });
  const parser = stream.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: true }));
  let columns: Columns | null = fixed;
  let parsed: ParsedCsv | null = null;
  let dataRows = 0;
  const { range } = ctx;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const where = `${file} line ${info.lines}`;
      if (parsed === null) {
        const first = columnsOf(file, record, fixed, ctx.options);
        columns = first.columns;
        parsed = { pixels: new ByteRows(columns.imageShape[0] * columns.imageShape[1] * columns.imageShape[2]), labelIds: [] };
        if (first.isHeader) continue;
      }
      const cols = columns as Columns;
      if (record.length !== cols.count) {
        throw new DatasetError(`${where} (data row ${dataRows + 1}) has ${record.length} columns; ${cols.hasHeader ? 'the header has' : 'the first row has'} ${cols.count}`);
      }
      dataRows++;
      if (dataRows > MAX_DATASET_EXAMPLES) throw new DatasetError(`${file} has more than ${MAX_DATASET_EXAMPLES} rows, the most a dataset may hold`);
      const rowBytes = cols.imageShape[0] * cols.imageShape[1] * cols.imageShape[2];
      if ((parsed.pixels.count + 1) * rowBytes > MAX_DATASET_PIXEL_BYTES) throw new DatasetError(`${file}: its images take more than the ${MAX_DATASET_PIXEL_BYTES / 2 ** 20} MiB a dataset may`);
      parsed.labelIds.push(labelId(record[cols.labelIndex] as string, where, ctx));
      const rowIndex = parsed.pixels.count;
      const out = parsed.pixels.next();
      let ambiguous = range.mode === 'auto';
      let p = 0;
      for (let c = 0; c < record.length; c++) {
        if (c === cols.labelIndex) continue;
        const text = record[c] as string;
        const v = NUMBER.test(text) ? Number(text) : NaN;
        const column = cols.header ? `column "${cols.header[c]}"` : `column ${c + 1}`;
        if (!Number.isFinite(v) || v < 0 || v > 255) throw new DatasetError(`${where}, ${column}: "${text}" is not a pixel value (0–255 or 0–1)`);
        if (range.mode === 'auto' && v !== 0 && v !== 1) {
          range.mode = Number.isInteger(v) ? '255' : v < 1 ? '1' : '255';
          if (!Number.isInteger(v) && v > 1) throw new DatasetError(`${where}, ${column}: ${text} is neither a 0–255 integer nor a 0–1 decimal`);
          range.decidedAt = `${where}, ${column} (${text})`;
          if (range.mode === '1') for (const r of range.undecidedRows) scaleRowFromUnit(parsed.pixels.row(r));
          range.undecidedRows = [];
          // Values already written in this row were 0 or 1; in 0–1 files they mean 0 and 255.
          if (range.mode === '1') for (let q = 0; q < p; q++) out[q] = (out[q] as number) * 255;
          ambiguous = false;
        }
        if (range.mode === '1') {
          if (v > 1) throw new DatasetError(`${where}, ${column}: ${text} is above 1, but this file's pixels are 0–1${range.decidedAt ? ` (as ${range.decidedAt} showed)` : ''}`);
          out[p++] = Math.round(v * 255);
        } else {
          if (!Number.isInteger(v)) throw new DatasetError(`${where}, ${column}: ${text} is not an integer, but this file's pixels are 0–255${range.decidedAt ? ` (as ${range.decidedAt} showed)` : ''}`);
          out[p++] = v;
        }
      }
      if (ambiguous && range.mode === 'auto') range.undecidedRows.push(rowIndex);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(`${file} cannot be read as CSV: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || columns === null || parsed.pixels.count === 0) throw new DatasetError(`${file} holds no data rows`);
  ctx.onProgress({ phase: 'reading', done: ctx.progress.done, total: ctx.progress.total, unit: 'bytes' });
  return { columns, parsed, range };
}

function scaleRowFromUnit(row: Uint8Array): void {
  for (let i = 0; i < row.length; i++) row[i] = (row[i] as number) * 255;
}

/** An auto range still undecided at the end: every pixel was 0 or 1, which reads either way. */
function finishRange(file: string, parsed: ParsedCsv, range: RangeState): void {
  if (range.mode === 'auto' && parsed.pixels.count > 0) {
    throw new DatasetError(`${file}: every pixel is 0 or 1, which could be 0–1 or 0–255 pixels; say which (--pixel-range 1 or 255)`);
  }
}

/** The label's id in the shared label list (first seen first). */
function labelId(text: string, where: string, ctx: ParseContext): number {
  if (text === '') throw new DatasetError(`${where}: the label is empty`);
  if (NUMBER.test(text) && !(CLASS_NUMBER.test(text) && Number(text) < MAX_CLASSES)) {
    throw new DatasetError(`${where}: label ${text} is out of range; labels are class numbers 0 to ${MAX_CLASSES - 1} or class names`);
  }
  let id = ctx.labelIds.get(text);
  if (id === undefined) {
    id = ctx.labelTexts.length;
    if (id >= MAX_CLASSES) throw new DatasetError(`${where}: label "${text}" is a class beyond the ${MAX_CLASSES} a dataset may have`);
    ctx.labelIds.set(text, id);
    ctx.labelTexts.push(text);
  }
  return id;
}

/** Class names and each label id's class: numbers 0..max as "0".."max", or names in natural order. */
function classesFrom(labelTexts: string[], file: string): { classNames: string[]; labelOf: number[] } {
  const numeric = labelTexts.filter((t) => CLASS_NUMBER.test(t));
  if (numeric.length === labelTexts.length) {
    // "07" and "7" would be one class under two spellings.
    const seen = new Map<number, string>();
    for (const t of numeric) {
      const other = seen.get(Number(t));
      if (other !== undefined) throw new DatasetError(`${file}: labels "${other}" and "${t}" are the same class number written two ways`);
      seen.set(Number(t), t);
    }
    const max = Math.max(...numeric.map(Number));
    const classNames = Array.from({ length: max + 1 }, (_, i) => String(i));
    const problem = classNamesProblem(classNames);
    if (problem !== null) throw new DatasetError(`${file}: ${problem}`);
    return { classNames, labelOf: labelTexts.map(Number) };
  }
  if (numeric.length > 0) {
    const name = labelTexts.find((t) => !CLASS_NUMBER.test(t));
    throw new DatasetError(`${file}: the labels mix class numbers (such as ${numeric[0]}) and class names (such as "${name}"); use one or the other`);
  }
  const classNames = [...labelTexts].sort(classOrder);
  const problem = classNamesProblem(classNames);
  if (problem !== null) throw new DatasetError(`${file}: ${problem}`);
  const index = new Map(classNames.map((n, i) => [n, i]));
  return { classNames, labelOf: labelTexts.map((t) => index.get(t) as number) };
}

/** The columns the first row shows (a header if any field is not a number) and the image they make. */
function columnsOf(file: string, first: string[], fixed: Columns | null, options: CsvImportOptions): { columns: Columns; isHeader: boolean } {
  const isHeader = first.some((f) => !NUMBER.test(f)) && first.filter((f) => !NUMBER.test(f)).length > 1;
  if (fixed !== null) {
    if (first.length !== fixed.count) throw new DatasetError(`${file} has ${first.length} columns but the training CSV has ${fixed.count}; the test CSV needs the same columns`);
    if (isHeader && fixed.header !== null && first[fixed.labelIndex] !== fixed.header[fixed.labelIndex]) {
      throw new DatasetError(`${file}: column ${fixed.labelIndex + 1} is "${first[fixed.labelIndex]}", but it is the label column "${fixed.header[fixed.labelIndex]}" in the training CSV`);
    }
    return { columns: fixed, isHeader };
  }
  const header = isHeader ? first : null;
  if (first.length < 2) throw new DatasetError(`${file} has ${first.length} column; it needs a label column and pixel columns`);
  let labelIndex = 0;
  if (options.labelColumn !== null) {
    if (header === null) throw new DatasetError(`${file} has no header row, so there is no column named "${options.labelColumn}"`);
    labelIndex = header.indexOf(options.labelColumn);
    if (labelIndex < 0) throw new DatasetError(`${file} has no column named "${options.labelColumn}"; its columns start ${header.slice(0, 5).map((h) => `"${h}"`).join(', ')}`);
  } else if (header !== null) {
    const named = header.findIndex((h) => h.toLowerCase() === 'label');
    labelIndex = named >= 0 ? named : 0;
  }
  const pixelColumns = first.length - 1;
  return { columns: { hasHeader: isHeader, header, count: first.length, labelIndex, imageShape: shapeFor(file, pixelColumns, options) }, isHeader };
}

function shapeFor(file: string, pixelColumns: number, options: CsvImportOptions): ImageShape {
  let shape: ImageShape;
  if (options.size !== null) {
    const channels = options.channels ?? 1;
    shape = [options.size.height, options.size.width, channels];
    if (options.size.height * options.size.width * channels !== pixelColumns) {
      throw new DatasetError(`${file} has ${pixelColumns} pixel columns, but ${shape.join('×')} images need ${options.size.height * options.size.width * channels}`);
    }
  } else {
    const channels = options.channels ?? (Number.isInteger(Math.sqrt(pixelColumns)) ? 1 : 3);
    const side = Math.sqrt(pixelColumns / channels);
    if (!Number.isInteger(side)) {
      throw new DatasetError(`${basename(file)}: ${pixelColumns} pixel columns do not make a square ${options.channels === null ? 'grey or RGB' : channels === 1 ? 'grey' : 'RGB'} image; give the size (--size HxW) and channels`);
    }
    shape = [side, side, channels];
  }
  const problem = imageShapeProblem(shape);
  if (problem !== null) throw new DatasetError(`${file}: ${problem}`);
  return shape;
}
