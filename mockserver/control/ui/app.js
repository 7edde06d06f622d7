// The admin page of the ATWS Sandbox: tenants and zones, the request journal as a live table,
// one call's request and response, and each tenant's threshold usage over time.
//
// Journal content is attacker-controlled text (whatever a client sent). It is only ever put
// into the page as text nodes (textContent / createTextNode), never parsed as HTML; the page's
// Content-Security-Policy forbids inline script as a second line of defence.
'use strict';

(() => {
  const JOURNAL_POLL_MS = 1000;
  const TENANTS_POLL_MS = 2000;
  const STATUS_POLL_MS = 5000;
  const HISTORY_POLL_MS = 10000;
  const KEEP_ENTRIES = 5000;  // journal entries kept in the page
  const SHOW_ROWS = 400;      // rows drawn in the table (newest first)
  const KEEP_CLIENT_SAMPLES = 4000;
  const COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626',
                  '#4d7c0f'];

  const state = {
    token: '',
    needToken: false,
    paused: false,
    tenants: [],
    tenantColor: new Map(),
    entries: [],           // oldest first
    lastSeq: 0,
    loadedOnce: false,
    selectedSeq: null,
    selectedFull: null,    // the selected entry with bodies
    operations: new Set(),
    clientSamples: new Map(),  // tenant id -> [{t, calls, threshold}]
    history: new Map(),        // tenant id -> {samples, tiers}
    historyMissing: false,
    rendered: '',              // key of what the table shows (to skip identical redraws)
    freshAbove: 0,             // entries with seq above this are new since the last draw
  };

  // ---- small DOM helpers (text only) -----------------------------------------------------

  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = v;
        else if (k === 'title') node.title = v;
        else if (k === 'dataset') Object.assign(node.dataset, v);
        else node.setAttribute(k, v === true ? '' : String(v));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      if (Array.isArray(c)) append(node, c);
      else node.appendChild(typeof c === 'string' || typeof c === 'number'
                                ? document.createTextNode(String(c)) : c);
    }
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // ---- the admin API --------------------------------------------------------------------

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path) {
    const headers = {Accept: 'application/json'};
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    let res;
    try {
      res = await fetch(path, {headers, cache: 'no-store', credentials: 'same-origin'});
    } catch (e) {
      setConn('down', 'mock not reachable');
      throw e;
    }
    if (res.status === 401) {
      state.needToken = true;  // the timers wait for the token bar
      $('token-bar').hidden = false;
      setConn('down', 'admin token needed');
      throw new HttpError(401, 'admin token needed');
    }
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      throw new HttpError(res.status, 'not JSON');
    }
    if (!res.ok) throw new HttpError(res.status, (body && body.error) || res.statusText);
    return body;
  }

  function setConn(kind, text) {
    const c = $('conn');
    c.className = 'conn ' + kind;
    c.textContent = text;
  }

  function initToken() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      state.token = decodeURIComponent(m[1]);
      try {
        sessionStorage.setItem('atws-admin-token', state.token);
      } catch (e) { /* storage off: keep it in memory */ }
      history.replaceState(null, '', location.pathname + location.search);
    } else {
      try {
        state.token = sessionStorage.getItem('atws-admin-token') || '';
      } catch (e) { /* storage off */ }
    }
    $('token-bar').addEventListener('submit', (ev) => {
      ev.preventDefault();
      state.token = $('token-input').value.trim();
      try {
        sessionStorage.setItem('atws-admin-token', state.token);
      } catch (e) { /* storage off */ }
      $('token-bar').hidden = true;
      state.needToken = false;
      refreshAll();
    });
  }

  // ---- formatting ----------------------------------------------------------------------

  const fmtInt = (n) => Number(n).toLocaleString('en-US');
  const pct = (calls, threshold) => (threshold > 0 ? (100 * calls) / threshold : 0);

  function timeOfDay(iso) {
    // "2026-11-28T10:00:00.123Z" -> "10:00:00.123"
    const m = /T(\d\d:\d\d:\d\d)(?:\.(\d{1,3}))?/.exec(iso || '');
    return m ? m[1] + '.' + (m[2] || '').padEnd(3, '0') : String(iso || '');
  }

  function tierClass(p) {
    if (p >= 100) return 't3';
    if (p >= 75) return 't2';
    if (p >= 50) return 't1';
    return '';
  }

  function tenantName(id) {
    const t = state.tenants.find((x) => x.id === id);
    return t ? t.name : String(id);
  }

  function colorOf(id) {
    if (!state.tenantColor.has(id))
      state.tenantColor.set(id, COLORS[state.tenantColor.size % COLORS.length]);
    return state.tenantColor.get(id);
  }

  // A one-line summary of what a call asked or did.
  function summary(e) {
    if (e.errors && e.errors.length) return e.errors[0];
    if (e.query && Array.isArray(e.query.conditions)) {
      const parts = e.query.conditions.map((c) => {
        const v = c.value === undefined || c.value === null || c.value === '' ? '' :
                  ' ' + JSON.stringify(String(c.value));
        return (c.udf ? 'UDF ' : '') + c.field + ' ' + c.op + v;
      });
      let s = parts.join(e.query.or_conditions ? ' … ' : ', ');
      if (e.query.id_greater_than !== undefined) s += ' (page: id > ' + e.query.id_greater_than + ')';
      return s || '(all rows)';
    }
    if (Array.isArray(e.written)) {
      return e.written.map((w) => {
        const id = w.id !== undefined ? ' #' + w.id : '';
        return (w.entity || '') + id + (w.outcome ? ' ' + w.outcome : '');
      }).join(', ');
    }
    if (e.latency_reason) return e.latency_reason;
    return '';
  }

  function isError(e) {
    return (e.errors && e.errors.length > 0) || e.http_status >= 400;
  }

  function searchText(e) {
    if (e._search === undefined) {
      e._search = [
        e.seq, e.operation, e.entity, e.user, e.integration_code, e.tenant, tenantName(e.tenant),
        'zone ' + e.zone, (e.errors || []).join('\n'), e.warning || '', e.latency_reason || '',
        e.query ? JSON.stringify(e.query) : '', e.written ? JSON.stringify(e.written) : '',
        'http ' + e.http_status, e.off_zone ? 'off-zone' : '',
        e.fault ? 'fault ' + e.fault.id + ' ' + e.fault.action : '',
      ].join('\n').toLowerCase();
    }
    return e._search;
  }

  // ---- tenants and zones ---------------------------------------------------------------

  async function pollTenants() {
    const tenants = await api('/__admin/tenants');
    state.tenants = tenants;
    const now = Date.now();
    for (const t of tenants) {
      colorOf(t.id);
      const list = state.clientSamples.get(t.id) || [];
      list.push({t: now, calls: t.calls, threshold: t.threshold});
      if (list.length > KEEP_CLIENT_SAMPLES) list.splice(0, list.length - KEEP_CLIENT_SAMPLES);
      state.clientSamples.set(t.id, list);
    }
    renderTenants();
    renderTenantFilter();
    renderChart();
    if (!state.historyPolled) {
      state.historyPolled = true;
      pollHistory().catch(() => {});
    }
  }

  function renderTenants() {
    const box = $('tenants');
    clear(box);
    $('tenant-count').textContent = state.tenants.length === 1 ? '1 tenant' :
                                    state.tenants.length + ' tenants';
    for (const t of state.tenants) {
      const p = pct(t.calls, t.threshold);
      const fill = el('span');
      fill.style.width = Math.min(100, p).toFixed(2) + '%';
      const bar = el('div', {class: 'bar ' + tierClass(p), title: 'latency from 50 % and 75 %'},
                     fill);
      for (const at of [50, 75]) {
        const mark = el('i', {class: 'mark'});
        mark.style.left = at + '%';
        bar.appendChild(mark);
      }
      const users = t.users || [];
      const card = el('div', {class: 'tenant', dataset: {tenant: t.id}},
        el('div', {class: 'tenant-head'},
          el('span', {class: 'tenant-name', title: t.name, text: t.name}),
          el('span', {class: 'tenant-id', text: 'id ' + t.id}),
          el('button', {type: 'button', class: 'btn btn-quiet btn-small',
                        title: 'Show only this tenant\'s calls', text: 'calls'})),
        el('div', {class: 'tenant-meta'},
          el('span', {class: 'tag zone', title: t.zone_label || '',
                      text: 'zone ' + t.zone + (t.zone_label ? ' · ' + t.zone_label : '')}),
          el('span', {class: 'tag', title: 'WSDL flavour', text: t.flavour || '?'}),
          el('span', {class: 'tag', title: 'language', text: t.language || '?'})),
        el('div', {class: 'tenant-users', title: users.join('\n'),
                   text: users.length ? 'users: ' + users.join(', ') : 'no users'}),
        el('div', {class: 'usage'}, bar,
          el('span', {class: 'usage-text',
                      text: fmtInt(t.calls) + ' / ' + fmtInt(t.threshold) + ' (' +
                            p.toFixed(1) + ' %)'})));
      card.style.setProperty('--tenant-color', colorOf(t.id));
      card.querySelector('button').addEventListener('click', () => {
        $('f-tenant').value = String(t.id);
        onFiltersChanged();
      });
      box.appendChild(card);
    }
  }

  function renderTenantFilter() {
    const sel = $('f-tenant');
    const want = state.tenants.map((t) => String(t.id)).join(',');
    if (sel.dataset.ids === want) return;
    const keep = sel.value;
    clear(sel);
    sel.appendChild(el('option', {value: '', text: 'All tenants'}));
    for (const t of state.tenants)
      sel.appendChild(el('option', {value: String(t.id), text: t.name + ' (' + t.id + ')'}));
    sel.value = keep;
    sel.dataset.ids = want;
  }

  async function pollZones() {
    const zones = await api('/__admin/zones');
    const body = $('zones');
    clear(body);
    for (const z of zones) {
      body.appendChild(el('tr', null,
        el('td', {text: String(z.zone)}), el('td', {text: z.label || ''}),
        el('td', {text: z.flavour || ''}),
        el('td', {text: (z.tenants || []).map(tenantName).join(', ')})));
    }
  }

  // Fault rules (docs/admin-api.md "Faults"): what they match, what they do, their counters.
  async function pollFaults() {
    const rules = await api('/__admin/faults');
    const body = $('faults');
    clear(body);
    $('fault-count').textContent = rules.length ? '(' + rules.length + ')' : '';
    for (const r of rules) {
      const match = Object.keys(r.match || {}).map((k) => k + '=' + r.match[k]).join(' ');
      const left = r.remaining === null ? '∞' : String(r.remaining);
      body.appendChild(el('tr', {class: r.expired ? 'expired' : null},
        el('td', {text: r.id}), el('td', {text: r.action}),
        el('td', {text: match || 'any call'}),
        el('td', {text: r.hits + ' / ' + r.matched + (r.probability < 1 ? ' (p ' +
                        r.probability + ')' : '')}),
        el('td', {text: left})));
    }
  }

  async function pollStatus() {
    try {
      const h = await api('/__admin/health');
      const pill = $('health');
      pill.className = 'pill ' + (h.status === 'ok' ? 'ok' : 'bad');
      pill.textContent = (h.status || '?') + ' · v' + (h.version || '?');
    } catch (e) {
      const locked = e instanceof HttpError && e.status === 401;
      $('health').className = 'pill ' + (locked ? '' : 'bad');
      $('health').textContent = locked ? 'locked' : 'down';
    }
    try {
      const c = await api('/__admin/clock');
      $('clock').textContent = (c.now || '?') + ' ' + (c.time_zone || '') +
                               (c.frozen ? ' (frozen)' : '');
      $('clock').title = 'UTC ' + (c.now_utc || '?');
    } catch (e) { /* an older mock without GET /__admin/clock */ }
  }

  // ---- the journal ---------------------------------------------------------------------

  async function pollJournal() {
    if (state.paused) return;
    const first = !state.loadedOnce;
    const path = '/__admin/journal?limit=1000&after=' + state.lastSeq;
    const got = await api(path);
    state.loadedOnce = true;
    if (got.length) {
      if (!first) state.freshAbove = state.lastSeq;
      for (const e of got) {
        state.entries.push(e);
        if (e.operation && !state.operations.has(e.operation)) state.operations.add(e.operation);
      }
      state.lastSeq = got[got.length - 1].seq;
      if (state.entries.length > KEEP_ENTRIES)
        state.entries.splice(0, state.entries.length - KEEP_ENTRIES);
      renderOperationFilter();
      renderJournal();
    } else if (first) {
      renderJournal();
    }
    setConn('live', 'live');
  }

  // The journal can be cleared (POST /__admin/reset, DELETE /__admin/journal): when the newest
  // entry the page has is gone, start again from what the journal holds now.
  async function checkJournalCleared() {
    if (state.paused || !state.lastSeq) return;
    try {
      await api('/__admin/journal/' + state.lastSeq);
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) {
        state.entries = [];
        state.lastSeq = 0;
        state.loadedOnce = false;
        state.rendered = '';
        await pollJournal();
      }
    }
  }

  function renderOperationFilter() {
    const sel = $('f-operation');
    const ops = [...state.operations].sort((a, b) => a.localeCompare(b));
    const want = ops.join(',');
    if (sel.dataset.ops === want) return;
    const keep = sel.value;
    clear(sel);
    sel.appendChild(el('option', {value: '', text: 'All operations'}));
    for (const op of ops) sel.appendChild(el('option', {value: op, text: op}));
    if (keep && !state.operations.has(keep)) sel.appendChild(el('option', {value: keep, text: keep}));
    sel.value = keep;
    sel.dataset.ops = want;
  }

  function filters() {
    return {
      tenant: $('f-tenant').value,
      operation: $('f-operation').value.toLowerCase(),
      terms: $('f-text').value.toLowerCase().split(/\s+/).filter(Boolean),
      errors: $('f-errors').checked,
    };
  }

  function matches(e, f) {
    if (f.tenant && String(e.tenant) !== f.tenant) return false;
    if (f.operation && String(e.operation).toLowerCase() !== f.operation) return false;
    if (f.errors && !isError(e)) return false;
    if (f.terms.length) {
      const hay = searchText(e);
      for (const t of f.terms) if (!hay.includes(t)) return false;
    }
    return true;
  }

  function renderJournal() {
    const f = filters();
    const shown = [];
    let total = 0;
    for (let i = state.entries.length - 1; i >= 0; --i) {
      const e = state.entries[i];
      if (!matches(e, f)) continue;
      ++total;
      if (shown.length < SHOW_ROWS) shown.push(e);
    }
    const key = JSON.stringify([f, state.lastSeq, state.entries.length, state.selectedSeq,
                                state.tenants.length]);
    if (key === state.rendered) return;
    state.rendered = key;

    const body = $('journal-body');
    clear(body);
    const frag = document.createDocumentFragment();
    for (const e of shown) frag.appendChild(journalRow(e));
    body.appendChild(frag);

    const filtered = f.tenant || f.operation || f.terms.length || f.errors;
    const count = $('journal-count');
    count.textContent = filtered ? total + ' of ' + state.entries.length + ' calls match' :
                                   state.entries.length + ' calls';
    if (total > shown.length) count.textContent += ' (newest ' + shown.length + ' shown)';
    const empty = $('journal-empty');
    empty.hidden = total > 0;
    empty.textContent = state.entries.length ?
        'No call matches these filters.' :
        'No calls yet. Point a client at the mock (docs/admin-api.md) and they appear here.';
    state.freshAbove = state.lastSeq;
  }

  function journalRow(e) {
    const ms = e.latency_added_ms || 0;
    const lat = !ms ? '' : ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(ms % 1000 ? 1 : 0) + ' s';
    const sum = summary(e);
    const opCell = el('td', {class: 'c-op', title: e.operation, text: e.operation || '?'});
    if (e.off_zone) opCell.appendChild(el('span', {class: 'flag', text: 'off-zone',
                                                   title: 'called on the zone-neutral endpoint'}));
    if (e.warning) opCell.appendChild(el('span', {class: 'flag', text: 'warn', title: e.warning}));
    if (e.fault) opCell.appendChild(el('span', {class: 'flag', text: 'fault',
                                                title: 'fault rule ' + e.fault.id + ' (' +
                                                       e.fault.action + ')'}));
    const row = el('tr', {
      tabindex: '0',
      dataset: {seq: e.seq},
      class: [isError(e) ? 'error' : '', e.seq === state.selectedSeq ? 'selected' : '',
              e.seq > state.freshAbove && state.freshAbove ? 'fresh' : ''].join(' ').trim() || null,
    },
      el('td', {class: 'c-seq', text: String(e.seq)}),
      el('td', {class: 'c-time', title: e.time, text: timeOfDay(e.time)}),
      el('td', {class: 'c-tenant', title: tenantName(e.tenant), text: String(e.tenant || '')}),
      el('td', {class: 'c-user', title: e.user, text: e.user || ''}),
      opCell,
      el('td', {class: 'c-entity', title: e.entity, text: e.entity || ''}),
      el('td', {class: 'c-sum', title: sum, text: sum}),
      el('td', {class: 'c-rows', text: e.rows >= 0 ? String(e.rows) : ''}),
      el('td', {class: 'c-status', text: String(e.http_status)}),
      el('td', {class: 'c-lat', title: e.latency_reason || '', text: lat}));
    return row;
  }

  function onFiltersChanged() {
    state.rendered = '';
    renderJournal();
  }

  function initJournal() {
    for (const id of ['f-tenant', 'f-operation', 'f-errors'])
      $(id).addEventListener('change', onFiltersChanged);
    $('f-text').addEventListener('input', onFiltersChanged);
    $('f-clear').addEventListener('click', () => {
      $('f-tenant').value = '';
      $('f-operation').value = '';
      $('f-text').value = '';
      $('f-errors').checked = false;
      onFiltersChanged();
    });
    const body = $('journal-body');
    body.addEventListener('click', (ev) => {
      const tr = ev.target.closest('tr');
      if (tr && tr.dataset.seq) select(Number(tr.dataset.seq));
    });
    body.addEventListener('keydown', (ev) => {
      const tr = ev.target.closest('tr');
      if (!tr) return;
      let next = null;
      if (ev.key === 'Enter' || ev.key === ' ') next = tr;
      else if (ev.key === 'ArrowDown') next = tr.nextElementSibling;
      else if (ev.key === 'ArrowUp') next = tr.previousElementSibling;
      if (!next) return;
      ev.preventDefault();
      next.focus();
      select(Number(next.dataset.seq));
    });
    $('pause').addEventListener('click', () => {
      state.paused = !state.paused;
      $('pause').setAttribute('aria-pressed', String(state.paused));
      $('pause').textContent = state.paused ? 'Resume' : 'Pause';
      setConn(state.paused ? 'paused' : 'live', state.paused ? 'paused' : 'live');
    });
  }

  // ---- the selected call ---------------------------------------------------------------

  async function select(seq) {
    state.selectedSeq = seq;
    for (const tr of $('journal-body').querySelectorAll('tr.selected')) tr.classList.remove('selected');
    const tr = $('journal-body').querySelector('tr[data-seq="' + seq + '"]');
    if (tr) tr.classList.add('selected');
    const summaryEntry = state.entries.find((e) => e.seq === seq);
    renderDetail(summaryEntry, null, 'loading…');
    let full = null;
    let note = '';
    try {
      full = await api('/__admin/journal/' + seq);
    } catch (e) {
      note = e instanceof HttpError && e.status === 404 ?
          'This call has left the journal; its request and response are gone.' :
          'Could not load the request and response: ' + e.message;
    }
    if (state.selectedSeq !== seq) return;  // another row was picked meanwhile
    state.selectedFull = full;
    renderDetail(full || summaryEntry, full, note);
  }

  function fact(label, value, title) {
    if (value === undefined || value === null || value === '') return null;
    return el('span', {title: title || null}, el('b', {text: label}),
              el('span', {class: 'v', text: String(value)}));
  }

  function renderDetail(e, full, note) {
    const box = $('detail');
    clear(box);
    if (!e) {
      box.appendChild(el('p', {class: 'empty muted', text: note || 'No call selected.'}));
      return;
    }
    const head = el('div', {class: 'detail-head'},
      el('div', {class: 'detail-title'},
        el('span', {class: 'seq', text: '#' + e.seq}),
        el('h2', {text: (e.operation || '?') + (e.entity ? ' · ' + e.entity : '')}),
        el('span', {class: 'muted', text: e.time})),
      el('div', {class: 'facts'},
        fact('tenant', e.tenant ? tenantName(e.tenant) + ' (' + e.tenant + ')' : ''),
        fact('zone', e.zone ? e.zone : 'neutral' + (e.off_zone ? ' (off-zone)' : '')),
        fact('user', e.user),
        fact('integration code', e.integration_code_sent ? (e.integration_code || '(empty)') :
                                                           '(not sent)'),
        fact('API', e.api_version),
        fact('HTTP', e.http_status),
        fact('rows', e.rows >= 0 ? e.rows : ''),
        fact('last id', e.rows > 0 ? e.last_id : ''),
        fact('latency added', e.latency_added_ms ? e.latency_added_ms + ' ms' : '',
             e.latency_reason),
        fact('fault', e.fault ? e.fault.id + ' (' + e.fault.action + ')' : '')));
    if (e.errors && e.errors.length)
      head.appendChild(el('div', {class: 'errors'}, e.errors.map((m) => el('div', {text: m}))));
    if (e.warning) head.appendChild(el('div', {class: 'warning-box', text: e.warning}));
    if (e.latency_reason && e.latency_added_ms)
      head.appendChild(el('div', {class: 'muted', text: 'latency: ' + e.latency_reason}));
    const parsed = {};
    if (e.query) parsed.query = e.query;
    if (e.written) parsed.written = e.written;
    if (Object.keys(parsed).length) {
      head.appendChild(el('details', {class: 'extra'},
        el('summary', {text: e.query ? 'Parsed query (as the journal holds it)' :
                                       'What the write sent (as the journal holds it)'}),
        el('pre', {text: JSON.stringify(parsed, null, 2)})));
    }
    box.appendChild(head);

    const terms = filters().terms;
    const bodies = el('div', {class: 'bodies'},
      bodyPane('Request', full ? full.request : null, note, terms, 'request'),
      bodyPane('Response', full ? full.response : null, note, terms, 'response'));
    box.appendChild(bodies);
  }

  function bodyPane(title, text, note, terms, id) {
    const pre = el('pre', {class: 'xml', id: 'detail-' + id});
    let raw = false;
    const draw = () => {
      clear(pre);
      if (text === null || text === undefined) {
        pre.appendChild(el('span', {class: 'c', text: note || 'loading…'}));
      } else if (text === '') {
        pre.appendChild(el('span', {class: 'c', text:
            '(not kept: the journal keeps the raw bodies of its newest 1,000 calls)'}));
      } else if (raw) {
        appendHighlighted(pre, text, terms, 'x');
      } else {
        renderXml(pre, text, terms);
      }
    };
    const toggle = el('button', {type: 'button', class: 'btn btn-small', text: 'Raw',
                                 title: 'Show the body exactly as it was sent'});
    toggle.addEventListener('click', () => {
      raw = !raw;
      toggle.textContent = raw ? 'Pretty' : 'Raw';
      draw();
    });
    const copy = el('button', {type: 'button', class: 'btn btn-small', text: 'Copy'});
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(text || '');
        copy.textContent = 'Copied';
      } catch (e) {
        copy.textContent = 'Copy failed';
      }
      setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
    });
    const sizeText = text ? fmtInt(new Blob([text]).size) + ' bytes' : '';
    draw();
    return el('div', {class: 'body-pane'},
      el('div', {class: 'body-head'}, el('h3', {text: title}),
         el('span', {class: 'muted', text: sizeText}), toggle, copy),
      pre);
  }

  // ---- a tolerant XML pretty-printer that only ever makes text nodes ------------------------
  // The bodies may be cut ("…[truncated]") or not XML at all, so this is a tokenizer, not a
  // parser: tags, text, comments, CDATA and processing instructions, indented by nesting.

  const TOKEN = /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|<\?[\s\S]*?(?:\?>|$)|<![^>]*>?|<\/?[A-Za-z_][^>]*>?|[^<]+|</g;
  const ENTITY = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

  function decodeEntities(s) {
    return s.replace(ENTITY, (m, name) => {
      switch (name) {
        case 'lt': return '<';
        case 'gt': return '>';
        case 'amp': return '&';
        case 'quot': return '"';
        case 'apos': return '\'';
        default: {
          const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
          return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
        }
      }
    });
  }

  // Lines of segments: [{cls, text}], each line with its depth.
  function xmlLines(text, baseDepth, embedded) {
    const lines = [];
    let depth = baseDepth;
    let line = null;
    const newLine = (d) => {
      line = {depth: d, segs: [], embedded};
      lines.push(line);
    };
    const tokens = text.match(TOKEN) || [];
    for (let i = 0; i < tokens.length; ++i) {
      const tok = tokens[i];
      if (tok.startsWith('<!--') || tok.startsWith('<?') || tok.startsWith('<!')) {
        newLine(depth);
        line.segs.push({cls: 'c', text: tok});
        continue;
      }
      if (/^<\/?[A-Za-z_]/.test(tok)) {
        const closing = tok[1] === '/';
        const selfClosing = /\/>$/.test(tok);
        if (closing) {
          depth = Math.max(baseDepth, depth - 1);
          // <a>text</a> and <a></a> stay on one line
          const prev = line && line.segs;
          const inline = prev && line.open && !line.closed;
          if (!inline) newLine(depth);
          line.closed = true;
        } else {
          newLine(depth);
          if (!selfClosing) {
            line.open = true;
            depth++;
          }
        }
        tagSegments(tok, line.segs);
        continue;
      }
      // text
      const trimmed = tok.trim();
      if (!trimmed) continue;
      const decoded = decodeEntities(trimmed);
      const next = tokens[i + 1] || '';
      const inlineText = line && line.open && !line.closed && next.startsWith('</') &&
                         !(decoded.startsWith('<') && decoded.includes('>'));
      if (trimmed.startsWith('<![CDATA[')) {
        newLine(depth);
        line.segs.push({cls: 'c', text: trimmed});
      } else if (decoded.startsWith('<') && decoded.includes('>') && !embedded) {
        // XML carried as text (a query's sXML): shown decoded, one level deeper
        for (const l of xmlLines(decoded, depth, true)) lines.push(l);
        line = null;
      } else if (inlineText) {
        line.segs.push({cls: 'x', text: trimmed});
      } else {
        newLine(depth);
        line.segs.push({cls: 'x', text: trimmed});
      }
    }
    return lines;
  }

  function tagSegments(tok, segs) {
    const m = /^(<\/?)([^\s/>]+)([\s\S]*?)(\/?>)?$/.exec(tok);
    if (!m) {
      segs.push({cls: 'x', text: tok});
      return;
    }
    segs.push({cls: 'p', text: m[1]});
    segs.push({cls: 't', text: m[2]});
    const attrs = m[3] || '';
    const ATTR = /(\s+)([^\s=]+)(?:(\s*=\s*)("[^"]*"?|'[^']*'?|[^\s]+))?|(\s+)|([\s\S])/g;
    let a;
    while ((a = ATTR.exec(attrs)) !== null) {
      if (a[2] !== undefined) {
        segs.push({cls: 'p', text: a[1]});
        segs.push({cls: 'a', text: a[2]});
        if (a[3] !== undefined) {
          segs.push({cls: 'p', text: a[3]});
          segs.push({cls: 'v', text: a[4]});
        }
      } else {
        segs.push({cls: 'p', text: a[5] !== undefined ? a[5] : a[6]});
      }
    }
    if (m[4]) segs.push({cls: 'p', text: m[4]});
  }

  function renderXml(pre, text, terms) {
    const lines = xmlLines(text, 0, false);
    const frag = document.createDocumentFragment();
    // One block per line, indented by padding so that a wrapped line keeps its indentation.
    for (const l of lines) {
      const line = el('div', {class: l.embedded ? 'ln e' : 'ln'});
      line.style.setProperty('--depth', String(l.depth));
      for (const s of l.segs) {
        const part = el('span', {class: s.cls});
        appendHighlighted(part, s.text, terms, null);
        line.appendChild(part);
      }
      frag.appendChild(line);
    }
    pre.appendChild(frag);
  }

  // Appends `text` to `node`, with the search terms marked.
  function appendHighlighted(node, text, terms, cls) {
    const target = cls ? el('span', {class: cls}) : node;
    if (cls) node.appendChild(target);
    if (!terms || !terms.length) {
      target.appendChild(document.createTextNode(text));
      return;
    }
    const lower = text.toLowerCase();
    let pos = 0;
    while (pos < text.length) {
      let best = -1;
      let len = 0;
      for (const t of terms) {
        const at = lower.indexOf(t, pos);
        if (at >= 0 && (best < 0 || at < best)) {
          best = at;
          len = t.length;
        }
      }
      if (best < 0) break;
      if (best > pos) target.appendChild(document.createTextNode(text.slice(pos, best)));
      target.appendChild(el('mark', {text: text.slice(best, best + len)}));
      pos = best + len;
    }
    if (pos < text.length) target.appendChild(document.createTextNode(text.slice(pos)));
  }

  // ---- the usage chart -----------------------------------------------------------------

  async function pollHistory() {
    if (state.historyMissing) return;
    const minutes = Number($('range').value);
    for (const t of state.tenants) {
      try {
        const h = await api('/__admin/tenants/' + t.id + '/usage/history?minutes=' + minutes);
        state.history.set(t.id, h);
      } catch (e) {
        if (e instanceof HttpError && (e.status === 404 || e.status === 405) &&
            !/no tenant/.test(e.message)) {
          state.historyMissing = true;  // a mock without the endpoint: page samples only
          break;
        }
      }
    }
    renderChart();
  }

  function seriesFor(t, from) {
    const pts = [];
    const h = state.history.get(t.id);
    if (h && Array.isArray(h.samples))
      for (const s of h.samples) pts.push({t: s.time_ms, calls: s.calls, threshold: s.threshold});
    for (const s of state.clientSamples.get(t.id) || []) pts.push(s);
    pts.sort((a, b) => a.t - b.t);
    return pts.filter((p) => p.t >= from);
  }

  function renderChart() {
    const box = $('chart');
    const width = Math.max(200, box.clientWidth - 16);
    const height = Math.max(100, box.clientHeight);
    const minutes = Number($('range').value);
    const now = Date.now();
    const from = now - minutes * 60000;
    const pad = {l: 38, r: 10, t: 16, b: 20};
    const w = width - pad.l - pad.r;
    const h = height - pad.t - pad.b;

    const series = state.tenants.map((t) => ({t, pts: seriesFor(t, from)}));
    let maxPct = 100;
    for (const s of series)
      for (const p of s.pts) maxPct = Math.max(maxPct, pct(p.calls, p.threshold));
    const top = Math.ceil(maxPct / 25) * 25;
    const x = (t) => pad.l + ((t - from) / (now - from)) * w;
    const y = (p) => pad.t + h - (Math.min(p, top) / top) * h;

    const root = svg('svg', {viewBox: '0 0 ' + width + ' ' + height, width, height, role: 'img'});
    root.appendChild(svg('title', {}, 'Calls in the rolling hour as % of the threshold'));
    for (let p = 0; p <= top; p += 25) {
      root.appendChild(svg('line', {class: 'grid', x1: pad.l, x2: pad.l + w, y1: y(p), y2: y(p)}));
      root.appendChild(svg('text', {class: 'axis-label', x: pad.l - 5, y: y(p) + 3,
                                    'text-anchor': 'end'}, p + ' %'));
    }
    // The threshold's tiers (of the first tenant's settings when the backend gave them).
    const h0 = state.tenants.length ? state.history.get(state.tenants[0].id) : null;
    const tiers = [
      {p: (h0 && h0.latency_tier1_pct) || 50, label: 'latency', color: '#d97706'},
      {p: (h0 && h0.latency_tier2_pct) || 75, label: 'more latency', color: '#c2410c'},
      {p: 100, label: 'suspended', color: '#b91c1c'},
    ];
    for (const tier of tiers) {
      if (tier.p > top) continue;
      root.appendChild(svg('line', {class: 'tier', stroke: tier.color, x1: pad.l, x2: pad.l + w,
                                    y1: y(tier.p), y2: y(tier.p)}));
      root.appendChild(svg('text', {class: 'tier-label', fill: tier.color, x: pad.l + 4,
                                    y: y(tier.p) - 3, 'text-anchor': 'start'}, tier.label));
    }
    // Time axis: a grid line every quarter, labelled at the ends and the middle with this
    // machine's local clock time.
    for (let i = 0; i <= 4; ++i) {
      const t = from + ((now - from) * i) / 4;
      if (i > 0 && i < 4)
        root.appendChild(svg('line', {class: 'grid', x1: x(t), x2: x(t), y1: pad.t, y2: pad.t + h}));
      if (i % 2) continue;
      const label = i === 4 ? 'now' : new Date(t).toTimeString().slice(0, minutes <= 15 ? 8 : 5);
      root.appendChild(svg('text', {class: 'axis-label', x: x(t), y: height - 5,
                                    'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle'},
                           label));
    }
    for (const s of series) {
      if (!s.pts.length) continue;
      const color = colorOf(s.t.id);
      if (s.pts.length === 1) {
        const p = s.pts[0];
        root.appendChild(svg('circle', {cx: x(p.t), cy: y(pct(p.calls, p.threshold)), r: 3,
                                        fill: color}));
        continue;
      }
      let d = '';
      for (const p of s.pts)
        d += (d ? 'L' : 'M') + x(p.t).toFixed(1) + ' ' + y(pct(p.calls, p.threshold)).toFixed(1);
      root.appendChild(svg('path', {class: 'series', d, stroke: color,
                                    'data-tenant': s.t.id}));
    }
    const cursor = svg('line', {class: 'cursor', x1: 0, x2: 0, y1: pad.t, y2: pad.t + h,
                                visibility: 'hidden'});
    root.appendChild(cursor);

    clear(box);
    box.appendChild(root);
    const tip = el('div', {class: 'chart-tip', hidden: true});
    box.appendChild(tip);
    root.addEventListener('mousemove', (ev) => {
      const r = root.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * width;
      if (px < pad.l || px > pad.l + w) {
        cursor.setAttribute('visibility', 'hidden');
        tip.hidden = true;
        return;
      }
      const t = from + ((px - pad.l) / w) * (now - from);
      cursor.setAttribute('x1', px);
      cursor.setAttribute('x2', px);
      cursor.setAttribute('visibility', 'visible');
      clear(tip);
      tip.appendChild(el('div', {text: new Date(t).toTimeString().slice(0, 8)}));
      for (const s of series) {
        let best = null;
        for (const p of s.pts) if (p.t <= t) best = p;
        if (!best) continue;
        tip.appendChild(el('div', {text: s.t.name + ': ' + fmtInt(best.calls) + ' / ' +
                                         fmtInt(best.threshold) + ' (' +
                                         pct(best.calls, best.threshold).toFixed(1) + ' %)'}));
      }
      tip.hidden = false;
      const left = Math.min(ev.clientX - box.getBoundingClientRect().left + 10,
                            box.clientWidth - tip.offsetWidth - 4);
      tip.style.left = Math.max(0, left) + 'px';
      tip.style.top = '6px';
    });
    root.addEventListener('mouseleave', () => {
      cursor.setAttribute('visibility', 'hidden');
      tip.hidden = true;
    });

    const legend = $('chart-legend');
    clear(legend);
    for (const s of series) {
      const last = s.pts.length ? s.pts[s.pts.length - 1] : null;
      const sw = el('span', {class: 'sw'});
      sw.style.background = colorOf(s.t.id);
      legend.appendChild(el('span', null, sw, s.t.name + (last ?
          ' · ' + pct(last.calls, last.threshold).toFixed(1) + ' %' : '')));
    }
    $('chart-note').textContent = state.historyMissing ?
        'Samples taken by this page every 2 s while it is open (this mock keeps no history).' :
        'Calls in the rolling hour as % of the threshold: the mock\'s samples every 10 s, ' +
        'and this page\'s every 2 s.';
  }

  // ---- start ---------------------------------------------------------------------------

  function every(ms, fn) {
    let busy = false;
    const tick = async () => {
      if (busy || state.needToken) return;
      busy = true;
      try {
        await fn();
      } catch (e) {
        if (!(e instanceof HttpError && e.status === 401)) setConn('down', 'retrying…');
      } finally {
        busy = false;
      }
    };
    tick();
    return setInterval(tick, ms);
  }

  async function refreshAll() {
    try {
      await pollTenants();
      await Promise.all([pollJournal(), pollZones(), pollFaults(), pollStatus(), pollHistory()]);
    } catch (e) { /* the timers retry */ }
  }

  function start() {
    initToken();
    initJournal();
    $('range').addEventListener('change', () => {
      renderChart();
      pollHistory().catch(() => {});
    });
    // Redraw the chart when its box changes size (window, token bar), once per frame.
    let lastSize = '';
    let queued = false;
    new ResizeObserver(() => {
      const box = $('chart');
      const size = box.clientWidth + 'x' + box.clientHeight;
      if (size === lastSize || queued) return;
      lastSize = size;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        renderChart();
      });
    }).observe($('chart'));
    every(JOURNAL_POLL_MS, pollJournal);
    every(TENANTS_POLL_MS, pollTenants);
    every(STATUS_POLL_MS, async () => {
      await pollStatus();
      await checkJournalCleared();
    });
    every(HISTORY_POLL_MS, pollHistory);
    every(30000, pollZones);
    every(STATUS_POLL_MS, pollFaults);
  }

  start();
})();
