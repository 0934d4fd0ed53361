/* global document, location, history, sessionStorage, fetch, TextDecoder, URLSearchParams, setTimeout, clearTimeout */
// The console's one script: it fetches the server-rendered view of this page with the token
// in the Authorization header (never a cookie), keeps it live from the server-sent events,
// and sends the redrive buttons' JSON requests.
(() => {
  const KEY = 'healstream.console.token';
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    // The token leaves the address bar, so it is not shared with a copied link.
    history.replaceState(null, '', location.pathname + location.search);
  }
  const main = document.getElementById('view');
  const status = document.getElementById('live');
  const login = document.getElementById('login');
  const headers = (extra) => {
    const token = sessionStorage.getItem(KEY);
    return Object.assign(token ? { authorization: `Bearer ${token}` } : {}, extra || {});
  };

  function askToken(message) {
    main.innerHTML = '';
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = message;
    main.append(p);
    login.hidden = false;
    main.append(login);
    document.getElementById('token').focus();
  }
  login.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById('token').value);
    login.hidden = true;
    document.body.append(login);
    void load(true);
    connect();
  });

  let loading = false;
  let again = false;
  async function load(first) {
    if (loading) return void (again = true);
    loading = true;
    try {
      const r = await fetch(`/view${location.pathname}${location.search}`, {
        headers: headers({ accept: 'text/html' }),
      });
      if (r.status === 401) return askToken((await r.json()).error);
      const template = document.createElement('template');
      template.innerHTML = await r.text();
      const focused = document.activeElement;
      // A filter form being typed in stays as it is; the rest of the view is replaced.
      const keepForm = !first && main.querySelector('form.filters');
      for (const node of [...template.content.children]) {
        if (keepForm && node.matches('form.filters')) node.replaceWith(keepForm);
      }
      main.replaceChildren(...template.content.childNodes);
      main.setAttribute('aria-busy', 'false');
      if (focused && main.contains(focused)) focused.focus();
      const h1 = main.querySelector('h1');
      if (h1) document.title = `${h1.textContent} · healstream`;
    } catch (error) {
      status.textContent = `cannot load: ${error.message}`;
    } finally {
      loading = false;
      if (again) {
        again = false;
        void load(false);
      }
    }
  }

  let timer;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(false), 150);
  };
  function onEvent(name, data) {
    const path = location.pathname;
    if (name === 'incidents') {
      if (path === '/' || path === '/fleet' || path === '/decisions') soon();
      else if (path.startsWith('/incidents/')) {
        const id = decodeURIComponent(path.slice('/incidents/'.length));
        if (data.ids.includes(id)) soon();
      }
    }
    if (name === 'dead-letters' && path === '/dead-letters') soon();
  }

  async function connect(delay = 1000) {
    try {
      const r = await fetch('/api/events', { headers: headers({ accept: 'text/event-stream' }) });
      if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
      status.textContent = 'live';
      status.dataset.state = 'live';
      const reader = r.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (name && data) onEvent(name, JSON.parse(data));
        }
      }
      throw new Error('stream ended');
    } catch (error) {
      status.textContent = `reconnecting (${error.message})`;
      status.dataset.state = 'down';
      setTimeout(() => void connect(Math.min(delay * 2, 15000)), delay);
    }
  }

  async function redrive(body) {
    const out = document.getElementById('redrive-result');
    out.textContent = 'redriving…';
    const r = await fetch('/api/dead-letters/redrive', {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify(body),
    });
    const answer = await r.json();
    out.textContent = r.ok
      ? `redrove ${answer.redriven} record(s) from ${answer.topic}`
      : `not redriven: ${answer.error}`;
    out.dataset.state = r.ok ? 'ok' : 'error';
    await load(false);
  }
  main.addEventListener('click', (event) => {
    const button = event.target.closest('button.redrive, button.redrive-all');
    if (!button) return;
    button.disabled = true;
    const { topic, partition, offset } = button.dataset;
    void redrive(
      button.classList.contains('redrive')
        ? { topic, partition: Number(partition), offset }
        : { topic },
    );
  });

  void load(true);
  void connect();
})();
