/* Livedesk console: shared helpers (window.LD). DOM building, the authenticated API
 * client, the server's clock as the console knows it, zone-aware time formatting,
 * field errors, and a tiny event bus between console.js and the admin views. */
(function () {
  'use strict';
  var TOKEN_KEY = 'livedesk:console:token';
  var LD = window.LD = {};
  // Uncaught errors, kept for support and tests (LivedeskConsole.state().errors).
  LD.errors = [];
  window.addEventListener('error', function (e) { LD.errors.push(String(e.message || e)); });
  window.addEventListener('unhandledrejection', function (e) { LD.errors.push('promise: ' + String(e.reason && e.reason.message || e.reason)); });
  // What the Content-Security-Policy blocked (the console must need no inline code).
  document.addEventListener('securitypolicyviolation', function (e) { LD.errors.push('csp: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')); });

  LD.$ = function (id) { return document.getElementById(id); };
  // el('div', {class: 'x', text: 'hi', onclick: fn, 'data-testid': 't'}, [children])
  LD.el = function (tag, attrs, kids) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (k === 'text') n.textContent = v;
      else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') n[k] = v;
      else if (k.slice(0, 2) === 'on') n.addEventListener(k.slice(2), v);
      else if (v != null && v !== false) n.setAttribute(k, v === true ? '' : v);
    }
    (kids || []).forEach(function (c) { if (c != null && c !== false) n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return n;
  };
  LD.store = function (k, v) {
    try { if (v == null) sessionStorage.removeItem(k); else sessionStorage.setItem(k, v); } catch (e) {}
  };
  LD.load = function (k) { try { return sessionStorage.getItem(k); } catch (e) { return null; } };
  LD.uid = function () {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  };
  LD.token = function () { return LD.load(TOKEN_KEY); };
  LD.setToken = function (t) { LD.store(TOKEN_KEY, t); };

  // ---- events between the parts of the console ----
  var handlers = {};
  LD.on = function (name, fn) { (handlers[name] = handlers[name] || []).push(fn); };
  LD.emit = function (name, arg) { (handlers[name] || []).forEach(function (fn) { fn(arg); }); };

  // ---- API: resolves {ok, status, body}; never rejects (a network failure is status 0) ----
  LD.api = function (method, path, body) {
    var headers = { Authorization: 'Bearer ' + (LD.token() || '') };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch('/api/v1' + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.text().then(function (t) {
          var b = null;
          try { b = t ? JSON.parse(t) : null; } catch (e) {}
          if (r.status === 401) LD.emit('unauthorized');
          return { ok: r.ok, status: r.status, body: b, error: (b && b.error) || (r.ok ? null : { message: 'Request failed (' + r.status + ')' }) };
        });
      }, function () { return { ok: false, status: 0, body: null, error: { message: 'Cannot reach the server' } }; });
  };

  // ---- the server's clock: shift countdowns follow it, not the computer's ----
  // skew = server time - Date.now(), set by each welcome from its `now`.
  var skew = 0;
  LD.now = function () { return Date.now() + skew; };
  LD.setServerNow = function (iso) {
    var ms = Date.parse(iso);
    if (!isNaN(ms)) skew = ms - Date.now();
  };

  // ---- zones and times ----
  LD.localZone = function () {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { return 'UTC'; }
  };
  var partsFmt = {};
  // parts(ms, tz) -> {date: 'YYYY-MM-DD', hm: 'HH:MM', wd: 0..6 (Sunday 0), offset: minutes east of UTC}
  LD.parts = function (ms, tz) {
    var f = partsFmt[tz];
    if (!f) {
      f = partsFmt[tz] = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    }
    var p = {};
    f.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = x.value; });
    var h = p.hour === '24' ? '00' : p.hour;
    var asUTC = Date.UTC(+p.year, +p.month - 1, +p.day, +h, +p.minute, +p.second);
    return {
      date: p.year + '-' + p.month + '-' + p.day, hm: h + ':' + p.minute,
      wd: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday),
      offset: Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60000)
    };
  };
  LD.validZone = function (tz) {
    if (!tz) return false;
    try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch (e) { return false; }
  };
  LD.zones = function () {
    var list = [];
    try { list = Intl.supportedValuesOf('timeZone').slice(); } catch (e) {}
    if (list.indexOf('UTC') < 0) list.unshift('UTC');
    return list;
  };
  LD.offsetLabel = function (min) {
    var s = min < 0 ? '-' : '+', a = Math.abs(min);
    return 'UTC' + s + String(Math.floor(a / 60)).padStart(2, '0') + ':' + String(a % 60).padStart(2, '0');
  };
  // addDays('2026-11-23', 1) -> '2026-11-24'
  LD.addDays = function (date, n) {
    var d = new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10) + n));
    return d.toISOString().slice(0, 10);
  };
  // The instant local date `date` starts in zone tz: its local midnight, the earlier one
  // when midnight occurs twice, the transition when midnight falls in a gap. Assumes at
  // most one offset change within a day of it (true of every zone).
  LD.dayStart = function (date, tz) {
    var guess = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)), best = null;
    [LD.parts(guess - 86400000, tz).offset, LD.parts(guess + 86400000, tz).offset].forEach(function (o) {
      var t = guess - o * 60000;
      if (LD.parts(t, tz).date === date && (best === null || t < best)) best = t;
    });
    return best === null ? guess : best;
  };
  var dateFmt = {};
  // Short human date of a YYYY-MM-DD: "Mon 23 Nov".
  LD.dayLabel = function (date) {
    var f = dateFmt.d || (dateFmt.d = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }));
    return f.format(new Date(date + 'T12:00:00Z'));
  };
  LD.weekday = function (date) {
    var f = dateFmt.w || (dateFmt.w = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short' }));
    return f.format(new Date(date + 'T12:00:00Z'));
  };
  // Date and time of an instant in the agent's zone: "23 Nov 2026, 10:05".
  LD.dateTime = function (iso) {
    var d = new Date(iso);
    if (isNaN(d)) return '';
    var f = dateFmt.dt || (dateFmt.dt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
    return f.format(d);
  };
  // Hours and minutes of an instant in the agent's zone, with the weekday when it is not today.
  LD.hm = function (iso) {
    var d = new Date(iso);
    if (isNaN(d)) return '';
    var z = LD.localZone(), p = LD.parts(d.getTime(), z), today = LD.parts(LD.now(), z).date;
    return p.date === today ? p.hm : LD.weekday(p.date) + ' ' + p.hm;
  };

  // What the widget said of the visitor: "French · 16:05 their time (Asia/Tokyo)".
  // at: the instant to show in their zone (default now).
  LD.visitorLocale = function (lang, tz, at) {
    var out = [];
    if (lang) {
      try { out.push(new Intl.DisplayNames(undefined, { type: 'language' }).of(lang) || lang); } catch (e) { out.push(lang); }
    }
    if (tz && LD.validZone(tz)) out.push(LD.parts(at ? Date.parse(at) : LD.now(), tz).hm + ' their time (' + tz + ')');
    return out.join(' · ');
  };

  // ---- field errors: inputs carry data-path="weekly.mon[0].from" and the like ----
  LD.clearErrors = function (root) {
    root.querySelectorAll('.field-error').forEach(function (n) { n.remove(); });
    root.querySelectorAll('[aria-invalid]').forEach(function (n) { n.removeAttribute('aria-invalid'); n.removeAttribute('aria-describedby'); });
  };
  // Puts the message next to the input named by path (or its closest named parent
  // path); returns that input, or null when nothing in root matches.
  LD.fieldError = function (root, path, message) {
    var p = path || '', target = null;
    while (p && !(target = root.querySelector('[data-path="' + CSS.escape(p) + '"]'))) {
      var q = p.replace(/(\[\d+\]|\.[^.[\]]+)$/, ''); // weekly.mon[1].from -> weekly.mon[1] -> weekly.mon
      p = q === p ? '' : q;
    }
    if (!target) return null;
    var id = 'err-' + LD.uid();
    var msg = LD.el('span', { class: 'field-error error', id: id, role: 'alert', 'data-testid': 'field-error', 'data-field': path, text: message });
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-describedby', id);
    var after = target.closest('[data-error-after]') || target;
    after.insertAdjacentElement('afterend', msg);
    if (target.focus) target.focus({ preventScroll: false });
    return target;
  };
  // Shows an API error: next to its field when there is one, and in box.
  LD.showApiError = function (root, box, res, what) {
    var e = res.error || {}, msg = e.message || 'Failed';
    var at = e.field ? LD.fieldError(root, e.field, msg) : null;
    if (box) {
      box.textContent = (what || 'Not saved') + ': ' + (e.field && !at ? e.field + ': ' : '') + msg;
      box.hidden = false;
    }
  };
  // A transient status line ("Saved").
  LD.flash = function (node, text) {
    node.textContent = text;
    node.hidden = false;
    clearTimeout(node._t);
    node._t = setTimeout(function () { node.hidden = true; }, 4000);
  };
})();
