/* Livedesk console: the offline messages of a site (GET /sites/{id}/offline-messages),
 * newest first. The API pages oldest first with an `after` cursor, so the inbox reads
 * every page once and then only what came after the last message it has; it looks for
 * new ones while it is shown. */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el, $ = LD.$;
  var PAGE = 100, POLL_MS = 30000;
  var v = { shown: false }, S = fresh();
  var view = $('view-inbox'), picker, list, status, errBox, poll = null;

  function fresh() { return { siteId: null, messages: [], after: null, loading: false, loaded: false, error: null }; }

  function safeURL(u) {
    try { var x = new URL(u); return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null; } catch (e) { return null; }
  }
  function fieldLabel(site, name) {
    var f = site && site.offline_form.fields.find(function (x) { return x.name === name; });
    return f ? f.label : name;
  }
  function item(m, site) {
    var href = m.page && safeURL(m.page), fields = Object.keys(m.fields || {});
    return el('li', { class: 'card msg-item', 'data-testid': 'inbox-item', 'data-message-id': m.id }, [
      el('div', { class: 'msg-head' }, [
        el('strong', { 'data-testid': 'inbox-name', text: m.name || 'No name' }),
        el('a', { href: 'mailto:' + m.email + '?subject=' + encodeURIComponent('Re: your message'), 'data-testid': 'inbox-email', text: m.email }),
        el('span', { class: 'spacer' }),
        el('time', { datetime: m.created_at, class: 'muted', 'data-testid': 'inbox-time', text: LD.dateTime(m.created_at) })
      ]),
      el('p', { class: 'msg-text', 'data-testid': 'inbox-message', text: m.message }),
      m.lang || m.timezone ? el('p', { class: 'muted small', 'data-testid': 'inbox-locale', text: LD.visitorLocale(m.lang, m.timezone, m.created_at).replace('their time', 'their time when sent') }) : null,
      fields.length ? el('dl', { class: 'msg-fields', 'data-testid': 'inbox-fields' }, fields.reduce(function (acc, k) {
        acc.push(el('dt', { text: fieldLabel(site, k) }), el('dd', { text: m.fields[k] }));
        return acc;
      }, [])) : null,
      m.page ? el('p', { class: 'muted small' }, ['From page: ', href ? el('a', { href: href, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'inbox-page', text: m.page })
        : el('span', { 'data-testid': 'inbox-page', text: m.page })]) : null
    ]);
  }
  function render() {
    var site = LD.site(S.siteId);
    list.textContent = '';
    S.messages.slice().reverse().forEach(function (m) { list.appendChild(item(m, site)); });
    status.textContent = S.loading && !S.loaded ? 'Loading…' : S.messages.length ? S.messages.length + ' message' + (S.messages.length === 1 ? '' : 's') : 'No offline messages yet.';
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
        st.messages = st.messages.concat(got);
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
    list = el('ol', { class: 'inbox', 'data-testid': 'inbox', 'aria-label': 'Offline messages, newest first' });
    view.append(el('div', { class: 'view-head' }, [
      el('h2', { text: 'Offline messages' }), picker,
      el('button', { type: 'button', 'data-testid': 'inbox-refresh', text: 'Refresh', onclick: fetchNew }), status
    ]), errBox, list);
  }
  v.show = function () {
    if (!list) build();
    LD.loadSites().then(function () {
      picker.refresh();
      if (S.siteId !== LD.siteId()) select(LD.siteId()); else fetchNew();
    });
    clearInterval(poll);
    poll = setInterval(function () { if (LD.view() === 'inbox' && !document.hidden) fetchNew(); }, POLL_MS);
  };
  v.reset = function () { clearInterval(poll); view.textContent = ''; list = null; S = fresh(); };
  v.state = function () { return { site_id: S.siteId, count: S.messages.length, loaded: S.loaded, loading: S.loading }; };
  LD.views.inbox = v;
})();
