/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

/** A table with a caption: `cells` are already HTML. */
export function table(caption: string, head: string[], rows: string[][], attrs = ''): string {
  return `<div class="scroll"><table ${attrs}><caption>${esc(caption)}</caption><thead><tr>${head
    .map((h) => `<th scope="col">${esc(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

export const NAV = [
  ['/', 'Incidents'],
  ['/decisions', 'Decisions'],
  ['/fleet', 'Fleet'],
  ['/dead-letters', 'Dead letters'],
] as const;

/**
 * The page shell: navigation and an empty main that the script fills with the server-rendered
 * view (fetched with the token header, so the shell itself holds no data).
 */
export function shell(title: string, path: string): string {
  const nav = NAV.map(
    ([href, label]) =>
      `<a href="${href}"${href === path || (href !== '/' && path.startsWith(href)) ? ' aria-current="page"' : ''}>${label}</a>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · healstream</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#view">Skip to content</a>
<header><strong>healstream</strong><nav aria-label="Sections">${nav}</nav><span id="live" role="status" aria-live="polite"></span></header>
<main id="view" tabindex="-1" aria-busy="true"><p>Loading…</p></main>
<form id="login" hidden><label for="token">Console token</label> <input id="token" type="password" autocomplete="off" required> <button type="submit">Open</button></form>
</body>
</html>`;
}
