// docsPage: a self-contained page (no CDN) that reads /openapi.json, lists the operations by tag with their
// schemas, and sends GET requests from the browser with an optional bearer token. Its style and script are files of
// their own under /docs/ (docsAssets), as the gateway's Content-Security-Policy lets nothing inline run.
import { createHash } from 'node:crypto';

/** A file the page loads, at a path that names its content: a browser may keep it for a year. */
export type DocsAsset = { path: string; type: string; body: string };

function docsAsset(extension: 'css' | 'js', type: string, body: string): DocsAsset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { path: `/docs/docs-${hash}.${extension}`, type, body };
}

/** The storefront's mark, inline: without an icon of its own the page makes the browser ask for /favicon.ico, a 404. */
const DOCS_ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' " +
  "rx='8' fill='%230b6b45'/%3E%3Ctext x='16' y='23' font-size='20' text-anchor='middle' fill='white' " +
  "font-family='sans-serif'%3EB%3C/text%3E%3C/svg%3E";

const docsStyle = docsAsset(
  'css',
  'text/css; charset=utf-8',
  `:root { --fg: #1d2330; --muted: #5b6475; --line: #dde1e8; --bg: #f7f8fa; --accent: #0b6e4f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { background: var(--accent); color: #fff; padding: 1rem 2rem; }
header h1 { margin: 0; font-size: 1.4rem; }
header p { margin: .3rem 0 0; opacity: .9; max-width: 60rem; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem 2rem 4rem; }
.token { display: flex; gap: .5rem; align-items: center; margin: 1rem 0; }
.token input { flex: 1; font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
h2 { margin: 2rem 0 .5rem; font-size: 1.15rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
details.op { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; }
details.op > summary { cursor: pointer; padding: .5rem .75rem; display: flex; gap: .75rem; align-items: baseline; list-style: none; }
details.op[open] > summary { border-bottom: 1px solid var(--line); }
.method { font: 600 .8rem ui-monospace, monospace; min-width: 4.5rem; text-align: center; padding: .1rem .4rem; border-radius: 3px; color: #fff; }
.get { background: #1f6feb; } .post { background: #1a7f37; } .patch, .put { background: #9a6700; } .delete { background: #cf222e; }
.path { font-family: ui-monospace, monospace; }
.summary { color: var(--muted); flex: 1; }
.access { font-size: .75rem; padding: .05rem .45rem; border-radius: 10px; border: 1px solid var(--line); color: var(--muted); }
.access.admin { border-color: #cf222e; color: #cf222e; } .access.customer { border-color: #9a6700; color: #9a6700; }
.body { padding: .5rem 1rem 1rem; }
h4 { margin: .8rem 0 .3rem; font-size: .9rem; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: .5rem .75rem; overflow: auto; font-size: .85rem; margin: 0; }
table { border-collapse: collapse; font-size: .9rem; }
td, th { text-align: left; padding: .2rem .8rem .2rem 0; vertical-align: top; }
.try { display: grid; gap: .4rem; max-width: 40rem; }
.try label { display: flex; gap: .5rem; align-items: center; }
.try label span { min-width: 8rem; font-family: ui-monospace, monospace; font-size: .85rem; }
.try input { flex: 1; font: inherit; padding: .25rem .4rem; border: 1px solid var(--line); border-radius: 4px; }
button { font: inherit; padding: .3rem 1rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; justify-self: start; }
.error { color: #cf222e; }
`,
);

const docsScript = docsAsset(
  'js',
  'text/javascript; charset=utf-8',
  `(() => {
  const tokenInput = document.getElementById('token');
  tokenInput.value = localStorage.getItem('bazaar.token') || '';
  tokenInput.addEventListener('change', () => localStorage.setItem('bazaar.token', tokenInput.value.trim()));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, v);
    for (const c of children) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  let doc;
  function resolve(schema) {
    let seen = 0;
    while (schema && schema.$ref && seen++ < 20) {
      const parts = schema.$ref.replace(/^#\\//, '').split('/');
      schema = parts.reduce((at, p) => (at ? at[p] : undefined), doc);
    }
    return schema || {};
  }

  // schemaText writes a schema the way a TypeScript type reads: { name: string, price?: { amount: integer } }.
  function schemaText(schema, depth, stack) {
    stack = stack || [];
    if (!schema) return 'unknown';
    if (schema.$ref) {
      if (stack.includes(schema.$ref) || stack.length > 8) return schema.$ref.split('/').pop();
      return schemaText(resolve(schema), depth, stack.concat(schema.$ref));
    }
    const variants = schema.anyOf || schema.oneOf;
    if (variants) return variants.map((v) => schemaText(v, depth, stack)).join(' | ');
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
    const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
    if (type === 'array') return schemaText(schema.items, depth, stack) + '[]';
    if (type === 'object' || schema.properties) {
      const props = Object.entries(schema.properties || {});
      if (!props.length) return 'object';
      const pad = '  '.repeat(depth + 1);
      const required = schema.required || [];
      const lines = props.map(([name, s]) => {
        const notes = [];
        if (s.format) notes.push(s.format);
        if (s.minimum !== undefined) notes.push('>= ' + s.minimum);
        if (s.maximum !== undefined) notes.push('<= ' + s.maximum);
        if (s.minLength !== undefined) notes.push('length >= ' + s.minLength);
        if (s.maxLength !== undefined) notes.push('length <= ' + s.maxLength);
        if (s.pattern) notes.push('/' + s.pattern + '/');
        if (s.description) notes.push(s.description);
        return { text: pad + name + (required.includes(name) ? '' : '?') + ': ' + schemaText(s, depth + 1, stack), note: notes.join(', ') };
      });
      const body = lines.map((l, i) => l.text + (i < lines.length - 1 ? ',' : '') + (l.note ? '  // ' + l.note : '')).join('\\n');
      return '{\\n' + body + '\\n' + '  '.repeat(depth) + '}';
    }
    return type || 'any';
  }

  function parametersTable(params) {
    if (!params.length) return null;
    return el('table', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'in'), el('th', {}, 'type'), el('th', {}, 'required')),
      ...params.map((p) => el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, schemaText(p.schema, 0)), el('td', {}, p.required ? 'yes' : 'no'))));
  }

  function tryIt(path, params) {
    const inputs = params.filter((p) => p.in === 'path' || p.in === 'query').map((p) => {
      const input = el('input', { name: p.name, placeholder: p.in + (p.required ? ', required' : '') });
      return { p, input, label: el('label', {}, el('span', {}, p.name), input) };
    });
    const output = el('pre', {}, 'No request sent yet.');
    const button = el('button', { type: 'button' }, 'Send GET');
    button.addEventListener('click', async () => {
      let url = path;
      const query = new URLSearchParams();
      for (const { p, input } of inputs) {
        const v = input.value.trim();
        if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(v));
        else if (v) query.set(p.name, v);
      }
      if (query.toString()) url += '?' + query;
      const headers = { accept: 'application/json' };
      const token = tokenInput.value.trim();
      if (token) headers.authorization = 'Bearer ' + token;
      output.textContent = 'GET ' + url + ' ...';
      try {
        const res = await fetch(url, { headers });
        const text = await res.text();
        let body = text;
        try { body = JSON.stringify(JSON.parse(text), null, 2); } catch {}
        output.textContent = 'GET ' + url + '\\n' + res.status + ' ' + res.statusText + '   x-trace-id: ' + res.headers.get('x-trace-id') + '\\n\\n' + body;
      } catch (err) {
        output.textContent = 'GET ' + url + ' failed: ' + err;
      }
    });
    return el('div', { class: 'try' }, el('h4', {}, 'Try it'), ...inputs.map((i) => i.label), button, output);
  }

  function operation(method, path, op, shared) {
    const params = (shared || []).concat(op.parameters || []).map(resolve);
    const access = op['x-access'] || 'public';
    const body = el('div', { class: 'body' });
    if (op.description) body.append(el('p', {}, op.description));
    const table = parametersTable(params);
    if (table) body.append(el('h4', {}, 'Parameters'), table);
    const requestBody = op.requestBody && resolve(op.requestBody);
    if (requestBody && requestBody.content) {
      for (const [type, media] of Object.entries(requestBody.content)) body.append(el('h4', {}, 'Request body (' + type + ')'), el('pre', {}, schemaText(media.schema, 0)));
    }
    body.append(el('h4', {}, 'Responses'));
    for (const [status, r] of Object.entries(op.responses || {})) {
      const response = resolve(r);
      const media = response.content && Object.values(response.content)[0];
      body.append(el('div', {}, el('strong', {}, status), ' ', response.description || ''));
      if (media && media.schema) body.append(el('pre', {}, schemaText(media.schema, 0)));
    }
    if (method === 'get') body.append(tryIt(path, params));
    return el('details', { class: 'op' },
      el('summary', {}, el('span', { class: 'method ' + method }, method.toUpperCase()), el('span', { class: 'path' }, path), el('span', { class: 'summary' }, op.summary || ''), el('span', { class: 'access ' + access }, access)),
      body);
  }

  function render() {
    document.getElementById('title').textContent = (doc.info && doc.info.title) || 'API';
    document.getElementById('description').textContent = (doc.info && doc.info.description) || '';
    const groups = new Map((doc.tags || []).map((t) => [t.name, []]));
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const op = item[method];
        if (!op) continue;
        const tag = (op.tags && op.tags[0]) || 'Other';
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push(operation(method, path, op, item.parameters));
      }
    }
    const root = document.getElementById('operations');
    for (const [tag, ops] of groups) if (ops.length) root.append(el('h2', {}, tag), ...ops);
  }

  fetch('/openapi.json', { headers: { accept: 'application/json' } })
    .then((res) => { if (!res.ok) throw new Error('status ' + res.status); return res.json(); })
    .then((d) => { doc = d; render(); })
    .catch((err) => { document.getElementById('description').textContent = ''; document.getElementById('operations').append(el('p', { class: 'error' }, 'Could not load /openapi.json: ' + err.message)); });
})();
`,
);

export const docsAssets: readonly DocsAsset[] = [docsStyle, docsScript];

export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bazaar API</title>
<link rel="icon" href="${DOCS_ICON}">
<link rel="stylesheet" href="${docsStyle.path}">
</head>
<body>
<header><h1 id="title">Bazaar API</h1><p id="description">Loading the API document...</p></header>
<main>
  <div class="token"><label for="token">Bearer token</label><input id="token" placeholder="paste an accessToken from POST /api/auth/login to try protected GETs"></div>
  <div id="operations"></div>
</main>
<script src="${docsScript.path}"></script>
</body>
</html>
`;
