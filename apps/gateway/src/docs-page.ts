import type { openApiDocument } from './openapi';

/** A small human page for `/docs`: each operation with its summary and responses, and the JSON document's link. */
export function docsPage(doc: ReturnType<typeof openApiDocument>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops as Record<string, { summary: string; responses: Record<string, { description: string }> }>).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()} ${esc(path)}</code></td><td>${esc(op.summary)}</td><td>${Object.entries(
          op.responses,
        )
          .map(([code, r]) => `<b>${code}</b> ${esc(r.description)}`)
          .join('<br>')}</td></tr>`,
    ),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}td{border-top:1px solid #ccc;padding:.4em;vertical-align:top}</style>
</head><body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/docs/openapi.json">OpenAPI 3.1 document</a>.</p>
<table><tr><th>operation</th><th>what</th><th>responses</th></tr>${rows.join('\n')}</table></body></html>`;
}
