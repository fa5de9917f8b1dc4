/* Livedesk console: the offline messages of a site (GET /sites/{id}/offline-messages),
 * newest first, with their state (new, read, done) and filters by state. The API
 * pages oldest first with an `after` cursor, so the inbox reads every page once; after
 * that it follows the agent socket (console.js emits each frame as LD 'frame'):
 * offline.message adds a message, offline.state changes one, and both carry the
 * site's unread count for the badge in the navigation. Opening a new message marks it
 * read; "Done" marks it done. Protocol: docs/protocol.md#offline-inbox. */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el, $ = LD.$;
  var PAGE = 100, STATES = ['new', 'read', 'done'];
  var FILTERS = [['all', 'All'], ['new', 'New'], ['read', 'Read'], ['done', 'Done']];
  var v = { shown: false }, S = fresh(), filter = 'all';
  var unread = {}; // site id -> its number of new messages (every site the agent serves)
  var view = $('view-inbox'), picker, list, status, errBox, filterBar;

  function fresh() { return { siteId: null, messages: [], byId: {}, open: {}, after: null, loading: false, loaded: false, error: null }; }

  // ---- the unread badge in the navigation ----
  function badge() {
    var n = 0;
    for (var k in unread) n += unread[k];
    var b = $('nav-inbox-count');
    if (b) {
      b.textContent = n ? String(n) : '';
      b.setAttribute('aria-label', n + ' unread offline message' + (n === 1 ? '' : 's'));
    }
  }
  function loadCounts() {
    return LD.api('GET', '/offline-messages/counts').then(function (r) {
      if (!r.ok) return;
      unread = {};
      (r.body.sites || []).forEach(function (c) { unread[c.site_id] = c.new; });
      badge();
    });
  }
  function setUnread(siteId, n) {
    if (typeof n === 'number') { unread[siteId] = n; badge(); } else loadCounts();
  }

  // ---- the list ----
  function safeURL(u) {
    try { var x = new URL(u); return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null; } catch (e) { return null; }
  }
  function fieldLabel(site, name) {
    var f = site && site.offline_form.fields.find(function (x) { return x.name === name; });
    return f ? f.label : name;
  }
  function item(m, site) {
    var href = m.page && safeURL(m.page), fields = Object.keys(m.fields || {}), open = !!S.open[m.id];
    var st = m.state || 'new';
    return el('li', { class: 'card msg-item state-' + st + (open ? ' open' : ''), 'data-testid': 'inbox-item', 'data-message-id': m.id, 'data-state': st }, [
      el('div', { class: 'msg-head' }, [
        el('button', { type: 'button', class: 'msg-open', 'aria-expanded': open ? 'true' : 'false', 'data-testid': 'inbox-open',
          onclick: function () { toggle(m); } }, [el('strong', { 'data-testid': 'inbox-name', text: m.name || (m.visitor_number ? 'Visitor ' + m.visitor_number : 'No name') })]),
        el('a', { href: 'mailto:' + m.email + '?subject=' + encodeURIComponent('Re: your message'), 'data-testid': 'inbox-email', text: m.email }),
        el('span', { class: 'msg-state', 'data-testid': 'inbox-state', text: st }),
        el('span', { class: 'spacer' }),
        el('time', { datetime: m.created_at, class: 'muted', 'data-testid': 'inbox-time', text: LD.dateTime(m.created_at) }),
        st === 'done' ? el('button', { type: 'button', 'data-testid': 'inbox-undone', text: 'Not done', onclick: function () { setState(m, 'read'); } })
          : el('button', { type: 'button', 'data-testid': 'inbox-done', text: 'Done', onclick: function () { setState(m, 'done'); } })
      ]),
      open ? null : el('p', { class: 'msg-preview muted', text: m.message }),
      el('div', { class: 'msg-body', hidden: !open }, [
        el('p', { class: 'msg-text', 'data-testid': 'inbox-message', text: m.message }),
        m.lang || m.timezone ? el('p', { class: 'muted small', 'data-testid': 'inbox-locale', text: LD.visitorLocale(m.lang, m.timezone, m.created_at).replace('their time', 'their time when sent') }) : null,
        fields.length ? el('dl', { class: 'msg-fields', 'data-testid': 'inbox-fields' }, fields.reduce(function (acc, k) {
          acc.push(el('dt', { text: fieldLabel(site, k) }), el('dd', { text: m.fields[k] }));
          return acc;
        }, [])) : null,
        m.page ? el('p', { class: 'muted small' }, ['From page: ', href ? el('a', { href: href, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'inbox-page', text: m.page })
          : el('span', { 'data-testid': 'inbox-page', text: m.page })]) : null
      ])
    ]);
  }
  function counts() {
    var c = { all: S.messages.length, new: 0, read: 0, done: 0 };
    S.messages.forEach(function (m) { c[m.state || 'new']++; });
    return c;
  }
  function render() {
    if (!list) return;
    var site = LD.site(S.siteId), c = counts();
    list.textContent = '';
    S.messages.slice().reverse().forEach(function (m) {
      if (filter === 'all' || (m.state || 'new') === filter) list.appendChild(item(m, site));
    });
    filterBar.querySelectorAll('button').forEach(function (b) {
      var f = b.getAttribute('data-filter');
      b.setAttribute('aria-pressed', f === filter ? 'true' : 'false');
      b.querySelector('.count').textContent = S.loaded ? String(c[f]) : '';
    });
    var shown = filter === 'all' ? c.all : c[filter];
    status.textContent = S.loading && !S.loaded ? 'Loading…' : shown ? shown + ' message' + (shown === 1 ? '' : 's')
      : filter === 'all' ? 'No offline messages yet.' : 'No ' + filter + ' messages.';
  }
  // Adds or replaces a message (by id; the list stays in id order, oldest first).
  function put(m) {
    var had = S.byId[m.id];
    S.byId[m.id] = m;
    if (had) { S.messages[S.messages.indexOf(had)] = m; return; }
    var i = S.messages.length;
    while (i > 0 && S.messages[i - 1].id > m.id) i--;
    S.messages.splice(i, 0, m);
  }
  // Reads the pages after the cursor until the last one. A site chosen meanwhile
  // replaces S: the answers for the old one are dropped.
  function fetchNew() {
    var st = S, id = st.siteId;
    if (!id || st.loading) return Promise.resolve();
    st.loading = true;
    errBox.hidden = true;
    function page() {
      var q = '?limit=' + PAGE + (st.after ? '&after=' + encodeURIComponent(st.after) : '');
      return LD.api('GET', '/sites/' + encodeURIComponent(id) + '/offline-messages' + q).then(function (r) {
        if (st !== S) return;
        if (!r.ok) { st.error = r.error; errBox.textContent = 'Could not load the messages: ' + r.error.message; errBox.hidden = false; return; }
        var got = r.body.messages || [];
        got.forEach(put);
        if (got.length) st.after = got[got.length - 1].id;
        if (r.body.next_after) { st.after = r.body.next_after; return page(); }
      });
    }
    return page().then(function () {
      st.loading = false;
      if (st !== S) return;
      st.loaded = true;
      render();
    });
  }
  var saving = 0; // state changes sent and not answered yet
  function setState(m, state) {
    var was = m.state;
    m.state = state;
    saving++;
    render();
    return LD.api('PATCH', '/sites/' + encodeURIComponent(m.site_id) + '/offline-messages/' + encodeURIComponent(m.id), { state: state }).then(function (r) {
      saving--;
      if (r.ok) { if (S.byId[m.id] === m) put(r.body); }
      else { m.state = was; errBox.textContent = 'Could not mark the message ' + state + ': ' + r.error.message; errBox.hidden = false; }
      render();
    });
  }
  function toggle(m) {
    S.open[m.id] = !S.open[m.id];
    if (S.open[m.id] && (m.state || 'new') === 'new') setState(m, 'read'); else render();
  }
  function select(id) {
    S = fresh();
    S.siteId = id;
    render();
    fetchNew();
  }
  function build() {
    picker = LD.sitePicker(select);
    status = el('span', { class: 'muted', role: 'status', 'data-testid': 'inbox-count' });
    errBox = el('p', { class: 'error', role: 'alert', hidden: true });
    filterBar = el('div', { class: 'filters', role: 'group', 'aria-label': 'Show messages' }, FILTERS.map(function (f) {
      return el('button', { type: 'button', 'data-filter': f[0], 'data-testid': 'inbox-filter-' + f[0], 'aria-pressed': 'false',
        onclick: function () { filter = f[0]; render(); } }, [f[1] + ' ', el('span', { class: 'count' })]);
    }));
    list = el('ol', { class: 'inbox', 'data-testid': 'inbox', 'aria-label': 'Offline messages, newest first' });
    view.append(el('div', { class: 'view-head' }, [
      el('h2', { text: 'Offline messages' }), picker,
      el('button', { type: 'button', 'data-testid': 'inbox-refresh', text: 'Refresh', onclick: function () { select(S.siteId); } }), status
    ]), filterBar, errBox, list);
  }

  // ---- live frames from the agent socket ----
  LD.on('frame', function (f) {
    switch (f.type) {
      case 'welcome': // (re)connected: frames sent meanwhile are not replayed
        loadCounts();
        if (S.loaded) select(S.siteId);
        break;
      case 'offline.message':
        if (!f.message) return;
        setUnread(f.message.site_id, f.unread);
        if (f.message.site_id === S.siteId && (S.loaded || S.loading)) { put(f.message); render(); }
        break;
      case 'offline.state':
        setUnread(f.site_id, f.unread);
        var m = f.site_id === S.siteId && S.byId[f.id];
        if (m && STATES.indexOf(f.state) >= 0) { m.state = f.state; render(); }
        break;
    }
  });

  v.show = function () {
    if (!list) build();
    LD.loadSites().then(function () {
      picker.refresh();
      if (S.siteId !== LD.siteId()) select(LD.siteId()); else if (!S.loaded) fetchNew();
    });
  };
  v.reset = function () { view.textContent = ''; list = null; S = fresh(); filter = 'all'; unread = {}; badge(); };
  v.state = function () {
    var n = 0;
    for (var k in unread) n += unread[k];
    return { site_id: S.siteId, count: S.messages.length, loaded: S.loaded, loading: S.loading, saving: saving, filter: filter, counts: counts(), unread: n };
  };
  LD.views.inbox = v;
})();
