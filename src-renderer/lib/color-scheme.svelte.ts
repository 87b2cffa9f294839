// The page's colour scheme, reactive: components that paint by hand (canvas, heat colours) read
// `prefersDark.current` and repaint when the OS setting changes. One query for the whole app; CSS
// follows the same setting with @media (prefers-color-scheme: dark).
import { MediaQuery } from 'svelte/reactivity';

export const prefersDark = new MediaQuery('(prefers-color-scheme: dark)', false);
