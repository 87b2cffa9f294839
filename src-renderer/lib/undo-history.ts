// Undo and redo over immutable snapshots: the editor records the value before each edit; undo
// swaps the current value with the last recorded one. Edits that continue one another (typing
// into the same field) share a `key` and are merged into one step.

export const UNDO_LIMIT = 200;

export class UndoHistory<T> {
  #past: { value: T; key: string | null }[] = [];
  #future: T[] = [];

  constructor(private readonly limit = UNDO_LIMIT) {}

  /** Records `before` as the state an undo returns to; a new edit clears the redo list. */
  record(before: T, key: string | null = null): void {
    const last = this.#past[this.#past.length - 1];
    this.#future = [];
    if (key !== null && last && last.key === key) return;
    this.#past.push({ value: before, key });
    if (this.#past.length > this.limit) this.#past.shift();
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }
  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  /** The state before the last edit, or null; `current` becomes redoable. */
  undo(current: T): T | null {
    const step = this.#past.pop();
    if (!step) return null;
    this.#future.push(current);
    return step.value;
  }

  redo(current: T): T | null {
    const next = this.#future.pop();
    if (next === undefined) return null;
    this.#past.push({ value: current, key: null });
    return next;
  }

  clear(): void {
    this.#past = [];
    this.#future = [];
  }
}
