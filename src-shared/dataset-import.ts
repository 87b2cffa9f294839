// What an import of the user's own data can be asked for, shared by the CLI, the contract and
// the importers, with the limits the README states.

export const RESIZE_POLICIES = ['pad', 'crop'] as const;
/** pad: scale to fit and pad with the image's border colour; crop: scale to cover and cut the centre. */
export type ResizePolicy = (typeof RESIZE_POLICIES)[number];
export const INVERT_MODES = ['auto', 'yes', 'no'] as const;
/** auto: invert grey images whose borders are light on average (so they look like MNIST: light strokes on dark). */
export type InvertMode = (typeof INVERT_MODES)[number];
export const PIXEL_RANGES = ['auto', '255', '1'] as const;
/** How a CSV writes pixels: 0–255 integers, 0–1 decimals, or decided from the values. */
export type PixelRange = (typeof PIXEL_RANGES)[number];

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.bmp'] as const;
/** Image files one folder import may read. */
export const MAX_FOLDER_IMAGES = 200_000;
/** Bytes of one image file. */
export const MAX_IMAGE_FILE_BYTES = 50 * 2 ** 20;
/** Pixels of one decoded image file before it is resized (a decompression bomb stops here). */
export const MAX_SOURCE_IMAGE_PIXELS = 50_000_000;
/** Bytes of one CSV file. */
export const MAX_CSV_BYTES = 2 * 2 ** 30;
export const DEFAULT_TEST_FRACTION = 0.2;
export const MAX_TEST_FRACTION = 0.9;

export interface FolderImportOptions {
  /** Target height × width, or 'keep' (every image must already have one size). */
  size: { height: number; width: number } | 'keep';
  channels: 1 | 3;
  resize: ResizePolicy;
  invert: InvertMode;
  /** Share of each class held out for testing when the folder has no train/ and test/ subfolders. */
  testFraction: number;
  /** Seeds that split. */
  seed: number;
}

export const DEFAULT_FOLDER_OPTIONS: FolderImportOptions = {
  size: { height: 28, width: 28 },
  channels: 1,
  resize: 'pad',
  invert: 'auto',
  testFraction: DEFAULT_TEST_FRACTION,
  seed: 0,
};

export interface CsvImportOptions {
  /** A CSV with the same columns for the test set; without it a seeded share of the rows is held out. */
  testCsv: string | null;
  /** The label column's header name; without it "label" if the header has one, else the first column. */
  labelColumn: string | null;
  pixelRange: PixelRange;
  /** Image shape the pixel columns fill; without it a square grey (or, failing that, RGB) image is assumed. */
  size: { height: number; width: number } | null;
  channels: 1 | 3 | null;
  testFraction: number;
  seed: number;
}

export const DEFAULT_CSV_OPTIONS: CsvImportOptions = {
  testCsv: null,
  labelColumn: null,
  pixelRange: 'auto',
  size: null,
  channels: null,
  testFraction: DEFAULT_TEST_FRACTION,
  seed: 0,
};

/** Progress of a running import: `done` of `total` (images for a folder, bytes for a CSV). */
export interface ImportProgress {
  phase: 'reading' | 'saving';
  done: number;
  total: number;
  unit: 'images' | 'bytes';
}

/** "28x28" → {height 28, width 28}; null when it is not HxW in digits. */
export function parseSize(text: string): { height: number; width: number } | null {
  const m = /^(\d{1,4})x(\d{1,4})$/i.exec(text.trim());
  return m ? { height: Number(m[1]), width: Number(m[2]) } : null;
}
