// Mounts the app over a transport. The entry (main.ts) picks the transport; a test harness
// can pass an in-memory one.
import { mount } from 'svelte';
import { createApi, type Transport } from '../src-shared/create-api.ts';
import App from './App.svelte';
import { createLab } from './state/lab.svelte.ts';
import { VIEW_IDS } from './views/registry.ts';

export function boot(target: HTMLElement, transport: Transport): ReturnType<typeof mount> {
  const lab = createLab(createApi(transport), VIEW_IDS, window.location);
  return mount(App, { target, props: { lab } });
}

/** A plain page for when no transport can be found. */
export function showFatal(target: HTMLElement, message: string): void {
  const box = document.createElement('div');
  box.className = 'panel';
  box.setAttribute('role', 'alert');
  const title = document.createElement('h1');
  title.textContent = 'Layerlab cannot reach the lab';
  const text = document.createElement('p');
  text.textContent = message;
  box.append(title, text);
  target.replaceChildren(box);
}
