import { DEFAULT_CSV_OPTIONS, DEFAULT_FOLDER_OPTIONS, INVERT_MODES, MAX_TEST_FRACTION, PIXEL_RANGES, RESIZE_POLICIES, parseSize, type ImportProgress } from '../../../src-shared/dataset-import.ts';
import type { DatasetInfo } from '../../../src-shared/api.ts';
import { DatasetRegistry } from '../../lab/data/dataset-registry.ts';
import { resolveLabHome } from '../../lab/home.ts';
import { UsageError } from '../cli-error.ts';
import { enumFlag, intFlag, numberFlag, parseSubcommand } from '../flags.ts';
import { jsonText, terminalSafe } from '../terminal-text.ts';

export const datasetsHelp = `layerlab datasets list [--json]
layerlab datasets import NAME --train-images F --train-labels F --test-images F --test-labels F [--title TEXT]
  IDX files, plain or gzip, 28×28 images with labels 0–9.
layerlab datasets import NAME --folder DIR [--size HxW|keep] [--channels 1|3] [--resize pad|crop]
    [--invert auto|yes|no] [--test-fraction F] [--seed N] [--title TEXT]
  DIR/<class>/*.png|jpg|jpeg|webp|bmp, or DIR/train/<class>/… and DIR/test/<class>/…; default 28x28, grey.
layerlab datasets import NAME --csv FILE [--test-csv FILE] [--label-column NAME] [--pixel-range auto|255|1]
    [--size HxW] [--channels 1|3] [--test-fraction F] [--seed N] [--title TEXT]
  One image per row: a label column and one column per pixel (row-major, channels interleaved).
(all take --home DIR)`;

type Out = NodeJS.WritableStream & { isTTY?: boolean };

export async function datasetsCommand(argv: string[], out: Out): Promise<number> {
  const { sub, values, positionals } = parseSubcommand(argv, {
    home: { type: 'string' }, json: { type: 'boolean' }, title: { type: 'string' },
    'train-images': { type: 'string' }, 'train-labels': { type: 'string' }, 'test-images': { type: 'string' }, 'test-labels': { type: 'string' },
    folder: { type: 'string' }, csv: { type: 'string' }, 'test-csv': { type: 'string' }, 'label-column': { type: 'string' },
    size: { type: 'string' }, channels: { type: 'string' }, resize: { type: 'string' }, invert: { type: 'string' },
    'pixel-range': { type: 'string' }, 'test-fraction': { type: 'string' }, seed: { type: 'string' },
  });
  const registry = new DatasetRegistry(resolveLabHome(values.home));
  if (sub === 'list') {
    const list = registry.list();
    if (values.json) out.write(`${jsonText(list)}\n`);
    else {
      for (const d of list) {
        if (d.damaged) out.write(`${d.name.padEnd(16)} DAMAGED: ${terminalSafe(d.damaged)}\n`);
        else out.write(`${d.name.padEnd(16)} ${String(d.trainExamples).padStart(6)} train  ${String(d.testExamples).padStart(6)} test  ${d.imageShape.join('×').padEnd(9)} ${String(d.classNames.length).padStart(3)} classes  ${d.hash.slice(0, 12)}  ${terminalSafe(d.title)}\n`);
      }
    }
    return 0;
  }
  if (sub === 'import') {
    const name = positionals[0];
    if (!name) throw new UsageError(`datasets import needs a NAME\n${datasetsHelp}`);
    if (positionals.length > 1) throw new UsageError(`datasets import takes one NAME, got ${positionals.length}: ${positionals.join(' ')}`);
    const progress = new ImportProgressPrinter(out);
    let info: DatasetInfo;
    try {
      info = await importDataset(registry, name, values, progress);
    } finally {
      progress.done();
    }
    out.write(`Imported ${info.name}: ${info.trainExamples} training and ${info.testExamples} test images of ${info.imageShape.join('×')}, ${info.classNames.length} classes (${terminalSafe(classList(info.classNames))}) (${info.hash.slice(0, 12)})\n`);
    return 0;
  }
  throw new UsageError(`unknown datasets command ${sub === undefined ? '(none)' : `"${sub}"`}\n${datasetsHelp}`);
}

const classList = (names: string[]): string => (names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, …`);

function sizeFlag(value: string | undefined): { height: number; width: number } | undefined {
  if (value === undefined) return undefined;
  const size = parseSize(value);
  if (size === null) throw new UsageError(`--size must be HEIGHTxWIDTH such as 28x28${value === 'keep' ? '' : ' (or keep, for folders)'}, got "${value}"`);
  return size;
}

function channelsFlag(value: string | undefined): 1 | 3 | undefined {
  const n = intFlag('channels', value);
  if (n === undefined) return undefined;
  if (n !== 1 && n !== 3) throw new UsageError(`--channels must be 1 (grey) or 3 (RGB), got ${n}`);
  return n;
}

function fractionFlag(value: string | undefined): number | undefined {
  const f = numberFlag('test-fraction', value);
  if (f !== undefined && !(f > 0 && f <= MAX_TEST_FRACTION)) throw new UsageError(`--test-fraction must be above 0 and at most ${MAX_TEST_FRACTION}, got ${value}`);
  return f;
}

function seedFlag(value: string | undefined): number | undefined {
  const n = intFlag('seed', value);
  if (n !== undefined && (n < 0 || n > 2 ** 32 - 1)) throw new UsageError(`--seed must be 0 to ${2 ** 32 - 1}, got ${n}`);
  return n;
}

/** A one-line progress bar on a terminal; nothing in a pipe (where the final line says it all). */
class ImportProgressPrinter {
  private shown = false;
  constructor(private readonly out: Out) {}

  show(p: ImportProgress): void {
    if (!this.out.isTTY) return;
    const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const filled = Math.round(fraction * 30);
    const amount = p.unit === 'bytes' ? `${(p.done / 2 ** 20).toFixed(1)}/${(p.total / 2 ** 20).toFixed(1)} MiB` : `${p.done}/${p.total} images`;
    const what = p.phase === 'saving' ? 'saving' : 'reading';
    this.out.write(`\r\x1b[2K${what} [${'='.repeat(filled)}${'.'.repeat(30 - filled)}] ${amount}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}

type ImportFlags = Partial<Record<'title' | 'folder' | 'csv' | 'test-csv' | 'label-column' | 'size' | 'channels' | 'resize' | 'invert' | 'pixel-range' | 'test-fraction' | 'seed' | 'train-images' | 'train-labels' | 'test-images' | 'test-labels', string>>;

/** One import from whichever source the flags name, refusing flags that do not apply to it. */
async function importDataset(registry: DatasetRegistry, name: string, values: ImportFlags, progress: ImportProgressPrinter): Promise<DatasetInfo> {
    const idxFlags = ['train-images', 'train-labels', 'test-images', 'test-labels'] as const;
    const sources = [values.folder !== undefined && '--folder', values.csv !== undefined && '--csv', idxFlags.some((f) => values[f] !== undefined) && 'IDX files'].filter(Boolean);
    if (sources.length > 1) throw new UsageError(`datasets import takes one source, got ${sources.join(' and ')}`);
    const only = (allowed: readonly string[], source: string): void => {
      const extra = ['folder', 'csv', 'test-csv', 'label-column', 'size', 'channels', 'resize', 'invert', 'pixel-range', 'test-fraction', 'seed', ...idxFlags]
        .filter((f) => values[f as keyof ImportFlags] !== undefined && !allowed.includes(f));
      if (extra.length) throw new UsageError(`${extra.map((f) => `--${f}`).join(', ')} ${extra.length === 1 ? 'does' : 'do'} not apply to ${source}`);
    };
    if (values.folder !== undefined) {
      only(['folder', 'size', 'channels', 'resize', 'invert', 'test-fraction', 'seed'], 'a folder import');
      return registry.importFolder(name, values.folder, {
        size: values.size === 'keep' ? 'keep' : (sizeFlag(values.size) ?? DEFAULT_FOLDER_OPTIONS.size),
        channels: channelsFlag(values.channels) ?? DEFAULT_FOLDER_OPTIONS.channels,
        resize: enumFlag('resize', values.resize, RESIZE_POLICIES) ?? DEFAULT_FOLDER_OPTIONS.resize,
        invert: enumFlag('invert', values.invert, INVERT_MODES) ?? DEFAULT_FOLDER_OPTIONS.invert,
        testFraction: fractionFlag(values['test-fraction']) ?? DEFAULT_FOLDER_OPTIONS.testFraction,
        seed: seedFlag(values.seed) ?? DEFAULT_FOLDER_OPTIONS.seed,
      }, values.title, (p) => progress.show(p));
    } else if (values.csv !== undefined) {
      only(['csv', 'test-csv', 'label-column', 'pixel-range', 'size', 'channels', 'test-fraction', 'seed'], 'a CSV import');
      if (values['test-csv'] !== undefined && (values['test-fraction'] !== undefined || values.seed !== undefined)) {
        throw new UsageError('--test-fraction and --seed split a CSV without a test set; with --test-csv there is nothing to split');
      }
      return registry.importCsv(name, values.csv, {
        testCsv: values['test-csv'] ?? DEFAULT_CSV_OPTIONS.testCsv,
        labelColumn: values['label-column'] ?? DEFAULT_CSV_OPTIONS.labelColumn,
        pixelRange: enumFlag('pixel-range', values['pixel-range'], PIXEL_RANGES) ?? DEFAULT_CSV_OPTIONS.pixelRange,
        size: sizeFlag(values.size) ?? DEFAULT_CSV_OPTIONS.size,
        channels: channelsFlag(values.channels) ?? DEFAULT_CSV_OPTIONS.channels,
        testFraction: fractionFlag(values['test-fraction']) ?? DEFAULT_CSV_OPTIONS.testFraction,
        seed: seedFlag(values.seed) ?? DEFAULT_CSV_OPTIONS.seed,
      }, values.title, (p) => progress.show(p));
    } else {
      only([...idxFlags], 'an IDX import');
      const files = { trainImages: values['train-images'], trainLabels: values['train-labels'], testImages: values['test-images'], testLabels: values['test-labels'] };
      const missing = Object.entries(files).filter(([, v]) => !v).map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
      if (missing.length) throw new UsageError(`datasets import needs a source: --folder DIR, --csv FILE, or the four IDX files (missing ${missing.join(', ')})`);
      return registry.importIdx(name, files as Record<keyof typeof files, string>, values.title);
    }
}
