// Class names where digits were shown: a run's dataset says what its labels mean.
import type { DatasetInfo } from '../../src-shared/api.ts';
import { DIGIT_CLASS_NAMES } from '../../src-shared/dataset-shape.ts';

/** The class names of the dataset called `name`; digits for MNIST, or while the datasets are not known yet. */
export function classNamesOf(datasets: readonly DatasetInfo[] | undefined, name: string | undefined): readonly string[] {
  const found = datasets?.find((d) => d.name === name);
  return found && found.classNames.length ? found.classNames : DIGIT_CLASS_NAMES;
}

/** Label `i`'s name, or the number itself past the list. */
export const className = (names: readonly string[], label: number): string => names[label] ?? String(label);
