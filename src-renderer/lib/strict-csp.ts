// Must be the entry's first import. The page's CSP has no 'unsafe-eval'; zod (used by the
// contract in src-shared) would otherwise probe `new Function` and compile parsers with it,
// which the browser reports as a CSP violation. jitless must be set before any schema is built.
import { config } from 'zod';

config({ jitless: true });
