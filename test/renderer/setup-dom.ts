// What jsdom lacks and a browser always has, given as a browser without a GPU would give it:
// matchMedia (nothing matches: the light scheme) and a canvas whose 2D context is unavailable
// (getContext returns null, as a browser does when it cannot make one). The app handles both
// as it would in a browser; it never asks which DOM it runs in.
if (typeof window.matchMedia !== 'function') {
  window.matchMedia = (query: string): MediaQueryList =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
