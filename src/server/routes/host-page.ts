import type { FastifyInstance } from 'fastify';
import type { Host } from '../../platform/host.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/** A plain host page listing the infobases; the web UI replaces it when it is built. */
export function hostPage(app: FastifyInstance, host: Host) {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const base = `${request.protocol}://${request.host}`;
    const rows = (await host.list())
      .map((entry) => {
        const label = host.applications.get(entry.application)?.label.en ?? entry.application;
        const url = `${base}/${entry.name}`;
        return `<tr><td>${escapeHtml(entry.title)}</td><td>${escapeHtml(label)}</td><td><code>${escapeHtml(url)}</code></td></tr>`;
      })
      .join('');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ibsync host</title></head>
<body><h1>Infobases</h1><table><thead><tr><th>Infobase</th><th>Application</th><th>Publication URL</th></tr></thead>
<tbody>${rows}</tbody></table><p><a href="/api/docs">API (OpenAPI)</a></p></body></html>`;
  });
}
