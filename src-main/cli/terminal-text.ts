// Text a user stored (run names, tags, notes, dataset titles) is kept as given, but never
// reaches a terminal raw: an escape sequence in a run name could rewrite the screen, move the
// cursor or set the window title. Control characters (C0, DEL, C1) and the bidirectional
// overrides that reorder what is shown are written as visible \x.. / \u.... escapes.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * One JSON line for stdout. JSON.stringify escapes C0 controls but writes DEL, C1 (0x9b is a
 * one-byte CSI on some terminals) and bidi overrides raw; those only occur inside strings, so
 * escaping them as \u.... keeps the line valid JSON with the same value.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
