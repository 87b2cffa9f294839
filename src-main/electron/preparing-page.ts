// The small window shown while `npm start` still prepares what the app needs (the page build,
// SQLite for Electron): a static page with the current step and an indeterminate bar. A data:
// URL with its own CSP (no scripts at all); the main process reloads it when the step changes.

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function preparingPageUrl(message: string): string {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="color-scheme" content="light dark"><title>Layerlab</title>
<style>body{font:14px system-ui,sans-serif;margin:28px;line-height:1.45}h1{font-size:17px;margin:0 0 12px}progress{width:100%;margin:14px 0 6px}p{margin:0}</style>
</head><body><h1>Preparing Layerlab…</h1><p>${escapeHtml(message)}</p><progress></progress></body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
