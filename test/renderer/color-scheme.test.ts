// Dark mode comes from one MediaQuery: painted colours follow the OS switching light ⇄ dark live.
import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { heatColor } from '../../src-renderer/lib/confusion.ts';

/** A matchMedia whose prefers-color-scheme the test flips, firing 'change' as a browser does. */
function controllableScheme() {
  const listeners = new Set<(event: Event) => void>();
  const list = {
    matches: false,
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_type: string, listener: (event: Event) => void) => listeners.add(listener),
    removeEventListener: (_type: string, listener: (event: Event) => void) => listeners.delete(listener),
  };
  window.matchMedia = (() => list) as unknown as typeof window.matchMedia;
  return (dark: boolean) => {
    list.matches = dark;
    for (const listener of listeners) listener(new Event('change'));
  };
}

describe('prefersDark', () => {
  it('recolours the confusion matrix when the scheme changes', async () => {
    const setDark = controllableScheme();
    // Imported after the fake is in place: the query is made when the module loads.
    const { default: ConfusionMatrix } = await import('../../src-renderer/components/evaluate/ConfusionMatrix.svelte');
    const { prefersDark } = await import('../../src-renderer/lib/color-scheme.svelte.ts');
    const matrix = [[9, 1], [2, 8]];
    render(ConfusionMatrix, { props: { matrix, normalised: [[0.9, 0.1], [0.2, 0.8]], totals: [10, 10], isSelected: () => false, ontoggle: () => {} } });
    const cell = screen.getByTestId('cm-0-0');
    const colour = () => cell.style.backgroundColor.replace(/\s/g, '');
    const rgb = (dark: boolean) => heatColor(0.9, dark).background.replace(/\s/g, '');
    expect(prefersDark.current).toBe(false);
    expect(colour()).toBe(rgb(false));
    setDark(true);
    flushSync();
    expect(colour()).toBe(rgb(true));
    expect(rgb(true)).not.toBe(rgb(false));
  });
});
