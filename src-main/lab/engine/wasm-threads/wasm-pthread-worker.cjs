'use strict';
// A pthread of tfjs-backend-wasm's threaded build, as a Node worker_threads script (see threaded-wasm-backend.ts).
// The package ships Emscripten's worker only as a string (for a Blob URL, which Node workers cannot load); it is run
// here with a direct eval, so that it sees this module's `require` and `__filename` as it expects. The string holds
// literal "\n" escapes that the package's own loader re-escapes the same way before use.
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
