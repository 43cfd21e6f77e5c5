/**
 * The live view page: the generated statechart SVG inlined (so the script can highlight its states), a lifecycle
 * timeline and the event log. It listens to `/events` (server-sent events) and needs nothing from the network: no
 * CDN, no fonts, no Stately account. Everything dynamic is set with `textContent`, never parsed as HTML.
 */

export const PAGE_SCRIPT = `'use strict';
(() => {
  const statusEl = document.getElementById('status');
  const reasonEl = document.getElementById('reason');
  const connectionEl = document.getElementById('connection');
  const timelineEl = document.getElementById('timeline');
  const logEl = document.getElementById('log');
  const MAX_LOG = 300;
  const MAX_TIMELINE = 100;
  let lastLifecycle;

  const clock = (at) => new Date(at).toISOString().slice(11, 23);

  function applySnapshot(snapshot) {
    for (const element of document.querySelectorAll('[data-state-path].active, [data-state-path].current')) {
      element.classList.remove('active', 'current');
    }
    for (const path of snapshot.active) {
      const element = document.querySelector('[data-state-path="' + CSS.escape(path) + '"]');
      if (element) element.classList.add('active');
    }
    const phase = document.querySelector('#chart [data-lifecycle="' + CSS.escape(snapshot.lifecycle) + '"]');
    if (phase) phase.classList.add('current');
    document.body.dataset.lifecycle = snapshot.lifecycle;
    statusEl.textContent = snapshot.lifecycle;
    statusEl.className = 'state-' + snapshot.lifecycle;
    reasonEl.textContent = snapshot.reason ? '(' + snapshot.reason + ')' : '';
    if (snapshot.lifecycle !== lastLifecycle) {
      lastLifecycle = snapshot.lifecycle;
      const item = document.createElement('li');
      item.dataset.lifecycle = snapshot.lifecycle;
      item.textContent = clock(snapshot.at) + '  ' + snapshot.lifecycle + (snapshot.reason ? '  (' + snapshot.reason + ')' : '');
      timelineEl.prepend(item);
      while (timelineEl.children.length > MAX_TIMELINE) timelineEl.lastElementChild.remove();
    }
  }

  function appendEvent(entry) {
    const item = document.createElement('li');
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = clock(entry.at) + ' ';
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = entry.type;
    const target = document.createElement('span');
    target.className = 'target';
    target.textContent = ' → ' + entry.target + ' ';
    const detail = document.createElement('span');
    detail.className = 'detail';
    detail.textContent = entry.detail;
    item.append(time, type, target, detail);
    logEl.prepend(item);
    while (logEl.children.length > MAX_LOG) logEl.lastElementChild.remove();
  }

  const source = new EventSource('/events');
  source.addEventListener('open', () => { connectionEl.textContent = 'live'; connectionEl.className = 'live'; });
  source.addEventListener('snapshot', (message) => applySnapshot(JSON.parse(message.data)));
  source.addEventListener('event', (message) => appendEvent(JSON.parse(message.data)));
  source.addEventListener('end', () => {
    connectionEl.textContent = 'client stopped';
    connectionEl.className = 'ended';
    source.close();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) return;
    connectionEl.textContent = 'reconnecting…';
    connectionEl.className = 'down';
  });
})();
`;

const PAGE_STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: #1f2933; background: #f4f6f9; }
  header { display: flex; gap: 16px; align-items: baseline; padding: 10px 16px; background: #1f2933; color: #fff; }
  header h1 { font-size: 15px; margin: 0; font-weight: 600; }
  #status { font: bold 15px ui-monospace, monospace; padding: 2px 8px; border-radius: 4px; background: #4a5568; }
  #status.state-authenticated { background: #1a7f37; }
  #status.state-lingering-detected, #status.state-reconnect { background: #b7791f; }
  #status.state-login-required, #status.state-failed { background: #c53030; }
  #reason { color: #cbd5e0; font-family: ui-monospace, monospace; }
  #connection { margin-left: auto; font-size: 12px; color: #cbd5e0; }
  #connection.live::before { content: '● '; color: #48bb78; }
  #connection.down::before, #connection.ended::before { content: '● '; color: #e53e3e; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) 420px; gap: 12px; padding: 12px; }
  #chart { background: #fff; border: 1px solid #d2d9e3; border-radius: 6px; overflow: auto; max-height: calc(100vh - 80px); }
  #chart svg { width: 100%; height: auto; display: block; }
  aside { display: flex; flex-direction: column; gap: 12px; max-height: calc(100vh - 80px); }
  section { background: #fff; border: 1px solid #d2d9e3; border-radius: 6px; padding: 8px 10px; overflow: auto; }
  section h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #5b6b7f; margin: 0 0 6px; }
  #timeline-section { flex: 0 0 30%; }
  #log-section { flex: 1 1 auto; }
  ol { list-style: none; margin: 0; padding: 0; font: 11px/1.5 ui-monospace, monospace; }
  #timeline li[data-lifecycle=authenticated] { color: #1a7f37; }
  #timeline li[data-lifecycle=lingering-detected], #timeline li[data-lifecycle=reconnect] { color: #b7791f; }
  #log li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  #log .time { color: #8a9bb0; }
  #log .type { color: #2b4a6f; font-weight: bold; }
  #log .target, #log .detail { color: #5b6b7f; }
`;

/** The whole page, with the statechart SVG inlined. */
export function renderPage(svg: string, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body data-lifecycle="">
<header><h1>${escapeHtml(title)}</h1><span id="status">waiting for the client…</span><span id="reason"></span><span id="connection">connecting…</span></header>
<main>
<div id="chart">
${svg}
</div>
<aside>
<section id="timeline-section"><h2>Lifecycle</h2><ol id="timeline"></ol></section>
<section id="log-section"><h2>Events (newest first, secrets redacted)</h2><ol id="log"></ol></section>
</aside>
</main>
<script src="/app.js"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
