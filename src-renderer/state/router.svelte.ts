// Hash routing (#/design, #/train, #/evaluate/12): works from file:// and from the web bridge.

export interface Route {
  view: string;
  /** What follows the view in the hash, e.g. a run id. */
  param: string | null;
}

export function parseHash(hash: string, fallback: string): Route {
  const [view, param] = hash.replace(/^#\/?/, '').split('/');
  return { view: view || fallback, param: param ? decodeURIComponent(param) : null };
}

export class Router {
  route = $state<Route>({ view: '', param: null });

  constructor(
    private readonly known: readonly string[],
    private readonly fallback: string,
    private readonly location: Pick<Location, 'hash'> | null = typeof window === 'undefined' ? null : window.location,
  ) {
    this.route = this.#read();
  }

  get view(): string {
    return this.route.view;
  }

  /** Keeps the route in step with the address bar; returns the unsubscribe. */
  listen(target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window): () => void {
    const onChange = () => (this.route = this.#read());
    target.addEventListener('hashchange', onChange);
    return () => target.removeEventListener('hashchange', onChange);
  }

  go(view: string, param: string | number | null = null): void {
    const route: Route = { view, param: param === null ? null : String(param) };
    this.route = route;
    // '@' stays readable (#/evaluate/12@3); decodeURIComponent reads it either way.
    const hash = `#/${view}${route.param === null ? '' : `/${encodeURIComponent(route.param).replaceAll('%40', '@')}`}`;
    if (this.location && this.location.hash !== hash) this.location.hash = hash;
  }

  #read(): Route {
    const route = parseHash(this.location?.hash ?? '', this.fallback);
    return this.known.includes(route.view) ? route : { view: this.fallback, param: null };
  }
}
