// The sandbox's page: reads the sandbox's own JSON endpoints (docs/sandbox.md) with fetch, and
// follows its event stream for new requests. No dependencies, no build step.

const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];
const state = {
  vendors: [],
  vendor: null,
  phones: false,
  lastId: 0,
  rows: [],
  open: null,
  openContacts: new Set(),
};

const $ = (selector) => document.querySelector(selector);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, init) {
  const separator = path.includes('?') ? '&' : '?';
  const url = `api/${path}${state.phones ? `${separator}phones=1` : ''}`;
  const response = await fetch(url, {
    ...init,
    headers: init?.body ? { 'content-type': 'application/json' } : undefined,
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

function colour(name) {
  const index = state.vendors.findIndex((vendor) => vendor.name === name);
  return COLOURS[(index < 0 ? 0 : index) % COLOURS.length];
}

// Vendors and their switches

async function loadVendors() {
  const { vendors } = await api('vendors');
  state.vendors = vendors;
  if (!state.vendor || !vendors.some((vendor) => vendor.name === state.vendor)) {
    state.vendor = vendors[0]?.name ?? null;
  }
  renderVendors();
  renderTabs();
}

function renderVendors() {
  const cards = $('#vendors .cards');
  const focused = document.activeElement?.closest?.('.card')?.dataset.vendor;
  if (focused) return; // Do not rewrite the inputs someone is typing in.
  cards.replaceChildren(
    ...state.vendors.map((vendor) => {
      const switches = vendor.switches ?? {};
      const card = element('form', {
        class: `card${switches.down ? ' down' : ''}`,
        'data-vendor': vendor.name,
      });
      const dot = element('span', { class: 'dot' });
      dot.style.background = colour(vendor.name);
      const title = element('h3', {}, dot, vendor.name);
      card.append(
        title,
        element('p', {
          class: 'muted',
          text: `${vendor.contacts} contacts${
            vendor.stopList === null ? '' : ` · ${vendor.stopList} on the stop list`
          }`,
        }),
        element(
          'label',
          {},
          'Fault rate ',
          element('input', {
            type: 'number',
            name: 'faultRate',
            min: 0,
            max: 1,
            step: 0.05,
            value: switches.faultRate ?? '',
            placeholder: 'sandbox-wide',
          }),
        ),
        element(
          'label',
          {},
          'Latency ms ',
          element('input', {
            type: 'number',
            name: 'latencyMs',
            min: 0,
            max: 60000,
            step: 10,
            value: switches.latencyMs ?? '',
            placeholder: 'sandbox-wide',
          }),
        ),
        element(
          'label',
          { class: 'toggle' },
          element('input', { type: 'checkbox', name: 'down', checked: Boolean(switches.down) }),
          ' Down (every request 503)',
        ),
        element(
          'div',
          { class: 'buttons' },
          element('button', { type: 'submit', text: 'Apply' }),
          element('button', {
            type: 'button',
            name: 'reset',
            text: 'Reset',
            title: 'Forget its contacts and switches',
          }),
        ),
        element('p', { class: 'error', role: 'alert' }),
      );
      card.addEventListener('submit', (event) => {
        event.preventDefault();
        applySwitches(card, vendor.name);
      });
      card.querySelector('input[name=down]').addEventListener('change', () => {
        applySwitches(card, vendor.name);
      });
      card.querySelector('button[name=reset]').addEventListener('click', async () => {
        await api(`vendors/${encodeURIComponent(vendor.name)}/reset`, {
          method: 'POST',
          body: '{}',
        });
        document.activeElement?.blur?.();
        await refreshAll();
      });
      return card;
    }),
  );
}

async function applySwitches(card, name) {
  const body = { down: card.querySelector('input[name=down]').checked };
  for (const field of ['faultRate', 'latencyMs']) {
    const text = card.querySelector(`input[name=${field}]`).value;
    if (text !== '') body[field] = Number(text);
  }
  const error = card.querySelector('.error');
  try {
    await api(`vendors/${encodeURIComponent(name)}/switches`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    error.textContent = '';
    document.activeElement?.blur?.();
    await loadVendors();
  } catch (failure) {
    error.textContent = failure.message;
  }
}

// Contacts of one vendor

function renderTabs() {
  $('#vendor-tabs').replaceChildren(
    ...state.vendors.map((vendor) => {
      const tab = element('button', {
        type: 'button',
        role: 'tab',
        'aria-selected': vendor.name === state.vendor ? 'true' : 'false',
        'data-vendor': vendor.name,
        text: `${vendor.name} (${vendor.contacts})`,
      });
      tab.addEventListener('click', () => {
        state.vendor = vendor.name;
        state.openContacts.clear();
        renderTabs();
        loadContacts();
      });
      return tab;
    }),
  );
}

let contactsTimer;
function scheduleContacts() {
  clearTimeout(contactsTimer);
  contactsTimer = setTimeout(loadContacts, 250);
}

async function loadContacts() {
  if (!state.vendor) return;
  const query = encodeURIComponent($('#search').value.trim());
  const vendor = state.vendor;
  const answer = await api(`vendors/${encodeURIComponent(vendor)}/contacts?q=${query}&limit=200`);
  if (vendor !== state.vendor) return;
  $('#contacts-count').textContent =
    answer.matched === answer.total
      ? `${answer.total} contacts`
      : `${answer.matched} of ${answer.total} contacts`;
  const rows = [];
  for (const contact of answer.contacts) {
    const open = state.openContacts.has(contact.id);
    const row = element(
      'tr',
      { class: `contact${open ? ' open' : ''}`, 'data-id': contact.id, tabindex: 0 },
      element('td', { class: 'mono', text: contact.id }),
      element('td', { text: contact.name || '—' }),
      element('td', { class: 'mono phone', text: contact.phone }),
      element('td', { text: contact.lists.join(', ') || '—' }),
      element('td', { text: contact.stopList.length ? 'stopped' : '—' }),
    );
    const toggle = () => {
      if (state.openContacts.has(contact.id)) state.openContacts.delete(contact.id);
      else state.openContacts.add(contact.id);
      loadContacts();
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (event) => event.key === 'Enter' && toggle());
    rows.push(row);
    if (open) {
      const raw = { record: contact.record, lists: contact.lists, stopList: contact.stopList };
      rows.push(
        element(
          'tr',
          { class: 'raw' },
          element(
            'td',
            { colspan: 5 },
            element('pre', { class: 'raw-record', text: JSON.stringify(raw, null, 2) }),
          ),
        ),
      );
    }
  }
  $('#contacts tbody').replaceChildren(...rows);
}

// The request log

async function loadRequests(fresh = false) {
  if (fresh) {
    state.lastId = 0;
    state.rows = [];
  }
  const { requests } = await api(`requests?after=${state.lastId}&limit=200`);
  if (!requests.length && !fresh) return;
  state.lastId = Math.max(state.lastId, ...requests.map((request) => request.id));
  state.rows = [...requests, ...state.rows].slice(0, 200);
  $('#log tbody').replaceChildren(
    ...state.rows.map((request) => {
      const row = element(
        'tr',
        {
          class: `request s${String(request.status)[0]}${request.id === state.open ? ' open' : ''}`,
          'data-id': request.id,
          'data-vendor': request.vendor,
          'data-status': request.status,
          tabindex: 0,
        },
        element('td', { class: 'num muted', text: request.id }),
        element('td', { class: 'mono', text: new Date(request.at).toLocaleTimeString() }),
        element('td', { text: request.vendor }),
        element('td', { class: 'mono', text: request.method }),
        element('td', { class: 'mono path', text: request.path }),
        element('td', { class: 'num status', text: request.status || 'dropped' }),
        element('td', { class: 'num', text: request.durationMs ?? '' }),
        element('td', { class: 'fault', text: request.fault ?? '' }),
      );
      row.addEventListener('click', () => openRequest(request.id));
      row.addEventListener('keydown', (event) => event.key === 'Enter' && openRequest(request.id));
      return row;
    }),
  );
}

async function openRequest(id) {
  state.open = id;
  for (const row of document.querySelectorAll('#log tr.request')) {
    row.classList.toggle('open', Number(row.dataset.id) === id);
  }
  try {
    const detail = await api(`requests/${id}`);
    $('#detail-title').textContent =
      `#${detail.id} ${detail.vendor} ${detail.method} ${detail.path} → ${detail.status || 'dropped'}` +
      (detail.fault ? ` (fault: ${detail.fault})` : '');
    $('#detail-request').textContent = [
      `${detail.method} ${detail.request.url}`,
      ...Object.entries(detail.request.headers).map(([name, value]) => `${name}: ${value}`),
      '',
      detail.request.body || '(no body)',
    ].join('\n');
    $('#detail-answer').textContent = detail.answer
      ? [
          `HTTP ${detail.answer.status}`,
          ...Object.entries(detail.answer.headers).map(([name, value]) => `${name}: ${value}`),
          '',
          detail.answer.body || '(no body)',
        ].join('\n')
      : '(connection dropped: no answer)';
  } catch (failure) {
    $('#detail-title').textContent = failure.message;
    $('#detail-request').textContent = '';
    $('#detail-answer').textContent = '';
  }
  $('#detail').hidden = false;
}

// Traffic: requests per second, counts per route

async function loadStats() {
  const stats = await api('stats');
  $('#total').textContent = `${stats.total} requests`;
  const vendors = Object.keys(stats.perSecond.vendors);
  const seconds = stats.perSecond.seconds;
  const totals = Array.from({ length: seconds }, (_, index) =>
    vendors.reduce((sum, name) => sum + stats.perSecond.vendors[name][index], 0),
  );
  const peak = Math.max(1, ...totals);
  const width = 600 / seconds;
  const svg = $('#chart');
  const ns = 'http://www.w3.org/2000/svg';
  const shapes = [];
  for (let index = 0; index < seconds; index += 1) {
    let y = 120;
    for (const name of vendors) {
      const count = stats.perSecond.vendors[name][index];
      if (!count) continue;
      const height = (count / peak) * 110;
      y -= height;
      const bar = document.createElementNS(ns, 'rect');
      bar.setAttribute('x', String(index * width + 1));
      bar.setAttribute('y', String(y));
      bar.setAttribute('width', String(Math.max(1, width - 2)));
      bar.setAttribute('height', String(height));
      bar.setAttribute('fill', colour(name));
      const title = document.createElementNS(ns, 'title');
      title.textContent = `${name}: ${count}/s`;
      bar.append(title);
      shapes.push(bar);
    }
  }
  const label = document.createElementNS(ns, 'text');
  label.setAttribute('x', '4');
  label.setAttribute('y', '12');
  label.setAttribute('class', 'peak');
  label.textContent = `peak ${peak}/s`;
  shapes.push(label);
  svg.replaceChildren(...shapes);
  $('#legend').replaceChildren(
    ...vendors.map((name) => {
      const swatch = element('span', { class: 'swatch' });
      swatch.style.background = colour(name);
      return element('li', {}, swatch, `${name} ${stats.perVendor[name] ?? 0}`);
    }),
  );
  $('#routes tbody').replaceChildren(
    ...stats.routes.map((route) =>
      element(
        'tr',
        { 'data-vendor': route.vendor },
        element('td', { text: route.vendor }),
        element('td', { class: 'mono', text: route.method }),
        element('td', { class: 'mono', text: route.route }),
        element('td', { class: 'num', text: route.count }),
        element('td', { class: 'num', text: route.statuses['2xx'] ?? 0 }),
        element('td', { class: 'num', text: route.statuses['4xx'] ?? 0 }),
        element('td', { class: 'num', text: route.statuses['5xx'] ?? 0 }),
        element('td', { class: 'num', text: route.statuses.dropped ?? 0 }),
        element('td', { class: 'num', text: route.meanMs }),
      ),
    ),
  );
}

// Callbell's webhook deliveries

async function loadWebhooks() {
  const hooks = await api('webhooks');
  $('#webhook-target').textContent = hooks.enabled
    ? `Delivered to ${hooks.target}`
    : 'Off: start the sandbox with a webhook URL (--webhook-url) to see deliveries here.';
  $('#webhooks tbody').replaceChildren(
    ...hooks.deliveries.slice(0, 200).map((delivery) =>
      element(
        'tr',
        { class: delivery.delivered ? 'delivered' : 'pending' },
        element('td', { class: 'num muted', text: delivery.number }),
        element('td', { class: 'mono', text: delivery.event }),
        element('td', { class: 'mono', text: delivery.contact }),
        element('td', {
          class: 'mono',
          text: delivery.attempts.map((attempt) => attempt.status).join(' → ') || 'waiting',
        }),
        element('td', {
          class: 'mono',
          text: delivery.attempts
            .map((attempt) =>
              attempt.tampered ? `${attempt.signature} (tampered)` : attempt.signature,
            )
            .join(' → '),
        }),
        element('td', { text: delivery.delivered ? 'yes' : 'no' }),
      ),
    ),
  );
}

// Live updates: the event stream says when; the page fetches what changed, at most 4 times a second.

let pending = false;
function changed() {
  if (pending) return;
  pending = true;
  setTimeout(async () => {
    pending = false;
    await Promise.allSettled([loadRequests(), loadVendors(), loadWebhooks()]);
    scheduleContacts();
  }, 250);
}

async function refreshAll() {
  await Promise.allSettled([loadVendors(), loadRequests(true), loadStats(), loadWebhooks()]);
  await loadContacts();
}

function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('open', () => {
    $('#live').textContent = 'live';
    $('#live').classList.add('on');
    changed();
  });
  events.addEventListener('error', () => {
    $('#live').textContent = 'reconnecting…';
    $('#live').classList.remove('on');
  });
  events.addEventListener('request', changed);
  events.addEventListener('vendors', () => loadVendors());
  events.addEventListener('reset', () => refreshAll());
}

$('#search').addEventListener('input', scheduleContacts);
$('#show-phones').addEventListener('change', (event) => {
  state.phones = event.target.checked;
  refreshAll();
  if (state.open) openRequest(state.open);
});
$('#close-detail').addEventListener('click', () => {
  state.open = null;
  $('#detail').hidden = true;
  for (const row of document.querySelectorAll('#log tr.open')) row.classList.remove('open');
});
$('#reset-all').addEventListener('click', async () => {
  await api('reset', { method: 'POST', body: '{}' });
  await refreshAll();
});

await refreshAll();
connect();
setInterval(() => loadStats().catch(() => undefined), 1000);
document.body.dataset.ready = 'true';
