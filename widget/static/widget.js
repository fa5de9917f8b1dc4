/* Livedesk visitor widget. Embed:
 * <script src="https://HOST/widget.js" data-site="SITE_ID" async></script>
 * Optional data-lang="en|fr|es|de" (else the browser's language, else English).
 * Plain JS, no dependencies. Protocol: docs/protocol.md#visitor-socket.
 * Served after socket.js (LivedeskSocket: connection, resume, backoff, outbox), strings.js
 * (LivedeskStrings: the words), style.js (LivedeskCSS) and departments.js
 * (LivedeskDepartments: the picker), inside the same function: see widget/embed.go. */
(function () {
  'use strict';
  if (window.LivedeskWidget) return;
  var script = document.currentScript || document.querySelector('script[data-site][src*="widget"]') ||
    document.querySelector('script[data-site]');
  var SITE = script && script.getAttribute('data-site');
  if (!SITE) return;
  var BASE = script.getAttribute('data-gateway') || script.src || location.href;
  var WS_URL = new URL('ws/visitor?site=' + encodeURIComponent(SITE), BASE).href.replace(/^http/, 'ws');
  var KEY = 'livedesk:' + SITE + ':';
  var MAX_TEXT = 4000;

  // All user-visible strings (aria labels too), by language and message id: strings.js.
  var T = LivedeskStrings;
  // The visitor's languages, most wanted first: the script tag's data-lang, then the browser's.
  var WANT = [script.getAttribute('data-lang')].concat(navigator.languages || [], navigator.language)
    .map(function (l) { return String(l || '').toLowerCase(); }).filter(Boolean);
  // The widget's language: the first wanted one it has ("fr-CA": fr), else English.
  var LANG = WANT.map(function (l) { return l.slice(0, 2); })
    .filter(function (l) { return T.hasOwnProperty(l); })[0] || 'en';
  var M = T[LANG];
  // A custom field's label in the visitor's language (docs/protocol.md#form-labels):
  // the first wanted language the field has, by exact tag ("pt-br") then by its
  // primary language ("pt"), else the field's label.
  function labelOf(f) {
    var by = {};
    for (var k in f.labels || {}) if (typeof f.labels[k] === 'string' && f.labels[k]) by[k.toLowerCase()] = f.labels[k];
    for (var i = 0; i < WANT.length; i++) {
      if (by[WANT[i]]) return by[WANT[i]];
      var p = WANT[i].split('-')[0];
      if (by[p]) return by[p];
    }
    return f.label || f.name;
  }
  function t(id, vars) {
    var s = M[id] || id;
    for (var k in vars || {}) s = s.split('{' + k + '}').join(vars[k]);
    return s;
  }

  // ---- storage (may throw in sandboxed frames or private modes) ----
  function get(kind, k) { try { return window[kind].getItem(KEY + k); } catch (e) { return null; } }
  function put(kind, k, v) {
    try { if (v == null) window[kind].removeItem(KEY + k); else window[kind].setItem(KEY + k, v); } catch (e) {}
  }
  function getJSON(k) { try { return JSON.parse(get('sessionStorage', k)); } catch (e) { return null; } }
  function putJSON(k, v) { put('sessionStorage', k, v == null ? null : JSON.stringify(v)); }

  function uid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  function tz() { try { return Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return ''; } }
  function hm(d) { return isNaN(d) ? '' : new Intl.DateTimeFormat(LANG, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d); }
  var skew = 0; // server clock (each welcome.now) - Date.now()
  function srvNow() { return new Date(Date.now() + skew); }
  function when(iso, id) { // "Back at 08:00" / "Back Monday at 08:00" in the visitor's own zone
    var d = new Date(iso), now = srvNow();
    if (isNaN(d)) return null;
    if (d.toDateString() === now.toDateString()) return t(id, { time: hm(d) });
    var o = d - now > 6 * 864e5 ? { weekday: 'long', day: 'numeric', month: 'long' } : { weekday: 'long' };
    return t('backOn', { day: new Intl.DateTimeFormat(LANG, o).format(d), time: hm(d) });
  }

  // backText is "Back at 08:00" for a status that is closed by its hours, else null; a
  // status paused by hand promises no time (docs/protocol.md#paused).
  function backText(st) { return st.reason !== 'paused' && st.opens_at && when(st.opens_at, 'backAt') || null; }
  // deptLabel says a department's status in the picker: online, back at, or offline.
  function deptLabel(st) { return st.online ? M.deptOnline : backText(st) || M.deptOffline; }

  // ---- state ----
  var S = {
    sentSeq: 0, noSeq: false,
    status: null, form: { enabled: true, fields: [] }, conv: null, msgs: [],
    open: false, offline: null, thanks: false, submitting: false, queuePos: null, closesAt: null,
    agentTyping: false, unread: false, error: '', shown: false, ended: {},
    // dept: the department the visitor chose, or that of its conversation (null: none);
    // picking: the picker is on screen (it stays there while the panel is open, even
    // when fewer than two departments are online by then).
    dept: null, picking: false
  };
  // The site's departments (docs/protocol.md#department-status), [] for a site without.
  var depts = LivedeskDepartments({ el: el, label: deptLabel, pick: pickDept });
  var stored = getJSON('conv');
  if (stored && stored.id) {
    S.conv = { id: stored.id, state: stored.state, agent: stored.agent || null };
    (stored.msgs || []).forEach(function (m) { m.k = 's' + m.seq; S.msgs.push(m); });
  }
  // The socket; its outbox holds what waits for the server's answer: chat.start, the
  // messages (wait: until the conversation exists) and offline.submit.
  var sock = LivedeskSocket({
    url: function () { return WS_URL; }, hello: hello, onframe: handle, onclose: closed,
    load: function () { return get('sessionStorage', 'outbox'); },
    save: function (v) { put('sessionStorage', 'outbox', v); }
  });
  sock.outbox.forEach(function (e) {
    if (e.f.type !== 'offline.submit') S.msgs.push({ k: e.f.id, cid: e.f.id, from: 'visitor', text: e.f.text, pending: true });
    else S.submitting = true;
  });

  function lastSeq() {
    var n = 0;
    S.msgs.forEach(function (m) { if (!m.pending && m.seq > n) n = m.seq; });
    return n;
  }
  function saveConv() {
    if (!S.conv) return putJSON('conv', null);
    var ms = S.msgs.filter(function (m) { return !m.pending && m.seq > 0; }).slice(-200).map(function (m) {
      return { seq: m.seq, from: m.from, text: m.text, at: m.at, agent_name: m.agent_name };
    });
    putJSON('conv', { id: S.conv.id, state: S.conv.state, agent: S.conv.agent, msgs: ms });
  }
  function starting() { return sock.outbox.some(function (e) { return e.f.type === 'chat.start'; }); }
  function findMsg(cid) { return S.msgs.filter(function (m) { return m.cid === cid; })[0]; }

  // ---- connection ----
  function queue(f, wait) {
    if (!sock.fits(f)) { S.error = M.tooBig; update(); return false; }
    sock.queue(f, wait);
    return true;
  }
  function flush() {
    var st = starting();
    sock.flush(function (e) { if (e.wait && S.conv && !st) e.wait = false; });
  }
  function hello() {
    // lang: the visitor's own language ("pt-BR"), for the agent; the widget's words follow LANG.
    var h = { type: 'hello', lang: navigator.language || LANG, timezone: tz(), page: location.href };
    var tok = get('localStorage', 'token');
    if (tok) h.visitor_token = tok;
    S.sentSeq = S.conv && !S.noSeq ? lastSeq() : 0;
    if (S.sentSeq) h.last_seq = S.sentSeq;
    S.noSeq = false;
    return h;
  }
  function closed(ev) {
    if (ev.code === 4001) put('localStorage', 'token', null); // new identity next time
    update();
  }

  // ---- frames from the server ----
  function addMsg(m) {
    if (m.seq != null && S.msgs.some(function (x) { return x.seq === m.seq && !x.pending; })) return false;
    S.msgs.push({ k: m.seq != null ? 's' + m.seq : 'n' + uid(), seq: m.seq, from: m.from, text: m.text, at: m.at, agent_name: m.agent_name });
    return true;
  }
  function note(text) { S.msgs.push({ k: 'n' + uid(), from: 'system', text: text, local: true }); }
  function applyConv(c) {
    if (S.conv && S.conv.id !== c.id) S.msgs = S.msgs.filter(function (m) { return m.pending; });
    S.conv = { id: c.id, state: c.state || 'open', agent: c.agent || null };
    if (c.department_id) S.dept = c.department_id; // a transfer may have changed it
    if (c.state === 'queued' && c.position != null) S.queuePos = c.position;
    if (c.state !== 'queued') S.queuePos = null;
    (c.messages || []).forEach(addMsg);
    S.offline = null;
    saveConv();
  }
  function convEnded() {
    if (!S.conv) return;
    S.ended[S.conv.id] = 1;
    S.conv = null; S.queuePos = null; S.agentTyping = false;
    note(M.ended); saveConv();
  }
  function startReply(f) { // chat.assigned / chat.queued answering our chat.start
    var m = findMsg(f.re);
    sock.ack(f.re);
    if (m) {
      var vis = (f.conversation && f.conversation.messages || []).some(function (x) { return x.from === 'visitor'; });
      if (vis) S.msgs.splice(S.msgs.indexOf(m), 1);
      else { m.pending = false; m.seq = 0; }
    }
  }
  function handle(f) {
    var e, m;
    switch (f.type) {
      case 'welcome':
        if (Date.parse(f.now)) skew = Date.parse(f.now) - Date.now();
        if (f.visitor_token) put('localStorage', 'token', f.visitor_token);
        var c = f.conversation && f.conversation.state !== 'ended' && f.conversation.state !== 'missed' ? f.conversation : null;
        if (c && S.sentSeq && (!S.conv || S.conv.id !== c.id)) { // our last_seq was for another conversation
          S.noSeq = true; sock.reconnect(); return;
        }
        S.error = '';
        S.status = f.status || null;
        depts.set(f.departments);
        if (S.dept && !depts.find(S.dept)) S.dept = null;
        if (f.offline_form) S.form = f.offline_form;
        if (c) applyConv(c); else convEnded();
        flush();
        break;
      case 'status':
        S.status = f.status || null;
        if (S.closesAt && !(S.status && +new Date(S.status.closes_at) === +new Date(S.closesAt))) S.closesAt = null;
        break;
      case 'closing_soon':
        S.closesAt = f.closes_at;
        break;
      case 'department.status':
        if (!depts.status(f.department_id, f.status)) return; // not a department we know: ignored
        break;
      case 'chat.assigned':
      case 'chat.queued':
        if (f.re) startReply(f);
        if (f.conversation) applyConv(f.conversation);
        if (f.type === 'chat.queued' && S.conv) { S.conv.state = 'queued'; S.queuePos = f.position; }
        if (f.type === 'chat.assigned' && S.conv) S.conv.state = 'open';
        saveConv(); flush();
        if (!S.open) S.unread = true;
        break;
      case 'queue.position':
        S.queuePos = f.position;
        // An open chat transferred to a department whose agents are all busy waits in
        // its queue: no agent has it until chat.assigned (docs/protocol.md#transfers).
        if (S.conv && S.conv.state === 'open' && (!f.conversation_id || f.conversation_id === S.conv.id)) {
          S.conv.state = 'queued'; S.conv.agent = null; S.agentTyping = false; saveConv();
        }
        break;
      case 'chat.offline':
        var p = f.prefill || {}, extra = [];
        if (f.re) { m = findMsg(f.re); if (m) S.msgs.splice(S.msgs.indexOf(m), 1); sock.ack(f.re); }
        sock.keep(function (e) {
          if (!e.wait) return true;
          extra.push(e.f.text); m = findMsg(e.f.id); if (m) S.msgs.splice(S.msgs.indexOf(m), 1);
          return false;
        });
        if (!f.re && S.conv) S.msgs = S.msgs.filter(function (m) { return m.pending; });
        S.conv = null; S.queuePos = null; saveConv();
        if (f.offline_form) S.form = f.offline_form;
        S.offline = { reason: f.reason, dept: f.department_id || null,
          prefill: { text: [p.text || ''].concat(extra).join('\n').trim(), name: p.name, email: p.email } };
        S.thanks = false; S.prefilled = false;
        break;
      case 'message.ack':
        sock.ack(f.re);
        m = findMsg(f.re);
        if (m) {
          if (S.msgs.some(function (x) { return x.seq === f.seq && !x.pending; })) S.msgs.splice(S.msgs.indexOf(m), 1);
          else { m.pending = false; m.seq = f.seq; m.at = f.at; }
          saveConv();
        }
        break;
      case 'message':
        if (S.conv && f.conversation_id && f.conversation_id !== S.conv.id) return;
        if (S.ended[f.conversation_id]) return;
        if (!S.conv && f.conversation_id) S.conv = { id: f.conversation_id, state: 'open', agent: null };
        if (addMsg(f)) {
          if (f.from === 'agent') S.agentTyping = false;
          if (f.from !== 'visitor' && !S.open) S.unread = true; // the agent's, or a system message ("Transferred to Bo.")
          saveConv();
        }
        break;
      case 'typing':
        S.agentTyping = !!f.state;
        clearTimeout(S.typingTimer);
        if (S.agentTyping) S.typingTimer = setTimeout(function () { S.agentTyping = false; update(); }, 5000);
        break;
      case 'chat.ended':
        if (!S.conv || !f.conversation_id || f.conversation_id === S.conv.id) convEnded();
        break;
      case 'offline.received':
        sock.ack(f.re);
        S.submitting = false; S.thanks = true; S.offline = null; S.dept = null;
        if (formEl) formEl.reset();
        update();
        if (S.open) thanksEl.focus();
        return;
      case 'error':
        if (!f.re) return; // e.g. rate_limited on a typing frame: nothing to show
        e = sock.find(f.re);
        if (e && (f.code === 'unavailable' || f.code === 'rate_limited')) {
          sock.resendLater(e.f.id);
          return;
        }
        if (e && e.f.department_id && f.code === 'not_found' && f.field === 'department_id') {
          // Deleted since the welcome (deletions are not pushed): forget it and send the
          // frame again for the site (docs/protocol.md#routing-by-department).
          forgetDept(e.f.department_id);
          delete e.f.department_id;
          sock.save();
          if (sock.connected) sock.send(e.f);
          break;
        }
        if (e && e.f.type === 'chat.start' && f.code === 'conflict') { // a conversation exists already: post into it
          m = findMsg(e.f.id);
          e.f = { type: 'message', id: uid(), text: e.f.text };
          if (m) m.cid = e.f.id;
          sock.save();
          if (S.conv) flush(); else { S.noSeq = true; sock.reconnect(); }
          return;
        }
        if (e) {
          sock.ack(e.f.id);
          if (e.f.type === 'offline.submit') S.submitting = false;
          m = findMsg(e.f.id);
          if (m) { m.pending = false; m.failed = true; }
        }
        if (f.field && (S.submitting || e && e.f.type === 'offline.submit' || view() === 'offline')) {
          m = String(f.field).replace(/^fields[.[]/, '').replace(/]$/, '');
          fieldError(m, m === 'email' ? M.badEmail : f.message || f.code); // the server's messages are in English
        } else S.error = f.message || f.code;
        break;
      default:
        return; // pong and unknown types
    }
    update();
  }

  // ---- DOM ----
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') n.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') n.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] != null && attrs[k] !== false) n.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }
  var CSS = LivedeskCSS; // style.js

  var host, root, launcher, statusEl, panel, subEl, endBtn, closingEl, queueEl, errEl, chatEl, listEl, typingEl,
    inputEl, sendBtn, offEl, formEl, fieldsKey, thanksEl, pickEl, pickList, deptBar, deptName, deptState, deptBack, nodes = {};

  function build() {
    host = el('div', { id: 'livedesk-widget', lang: LANG, hidden: true });
    root = host.attachShadow({ mode: 'open' });
    root.appendChild(el('style', { text: CSS }));
    statusEl = el('span', { 'data-testid': 'status' });
    launcher = el('button', { type: 'button', class: 'launcher', 'data-testid': 'launcher', 'aria-expanded': 'false',
      'aria-controls': 'ld-panel', 'aria-label': M.openChat, onclick: function () { toggle(!S.open); } },
    [el('span', { class: 'dot', 'aria-hidden': 'true' }), statusEl]);
    subEl = el('small');
    endBtn = el('button', { type: 'button', 'data-testid': 'end', text: M.end,
      onclick: function () { if (S.conv) sock.send({ type: 'chat.end', id: uid() }); } });
    closingEl = el('div', { class: 'banner', 'data-testid': 'closing-soon', role: 'status' });
    queueEl = el('div', { class: 'info', 'data-testid': 'queue', role: 'status' });
    errEl = el('div', { class: 'info err', role: 'alert' });
    listEl = el('div', { class: 'msgs', 'data-testid': 'messages', role: 'log', 'aria-live': 'polite' });
    typingEl = el('div', { class: 'typing', 'data-testid': 'typing', text: M.typing });
    inputEl = el('textarea', { 'data-testid': 'input', 'aria-label': M.placeholder, placeholder: M.placeholder,
      maxlength: MAX_TEXT, rows: 1, oninput: onTyping, onkeydown: function (e) {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submitText(); }
      } });
    sendBtn = el('button', { type: 'submit', class: 'btn', 'data-testid': 'send', text: M.send });
    chatEl = el('div', { class: 'chat' }, [queueEl, listEl, typingEl,
      el('form', { class: 'compose', onsubmit: function (e) { e.preventDefault(); submitText(); } }, [inputEl, sendBtn])]);
    offEl = el('div', { class: 'off-view' });
    thanksEl = el('div', { class: 'thanks', 'data-testid': 'offline-thanks', role: 'status', tabindex: -1, text: M.thanks });
    pickList = el('div', { class: 'depts', role: 'group', 'aria-label': M.departments });
    pickEl = el('div', { class: 'pick', 'data-testid': 'picker' }, [el('p', { class: 'q', text: M.pick }), pickList]);
    deptName = el('b', { 'data-testid': 'department-name' });
    deptState = el('small', { 'data-testid': 'department-state' });
    deptBack = el('button', { type: 'button', class: 'link', 'data-testid': 'other-departments', text: M.otherDepts, onclick: unpick });
    deptBar = el('div', { class: 'deptbar', 'data-testid': 'department-bar' }, [el('div', { class: 't' }, [deptName, deptState]), deptBack]);
    panel = el('div', { class: 'panel', id: 'ld-panel', role: 'dialog', 'aria-label': M.chat, 'data-testid': 'panel', hidden: true,
      onkeydown: function (e) { if (e.key === 'Escape') { e.stopPropagation(); toggle(false); } } },
    [el('header', {}, [el('div', { class: 't' }, [el('b', { text: M.title }), subEl]), endBtn,
      el('button', { type: 'button', 'aria-label': M.closeChat, text: '✕', onclick: function () { toggle(false); } })]),
    closingEl, errEl, deptBar, chatEl, pickEl, offEl, thanksEl]);
    root.appendChild(launcher); root.appendChild(panel);
    document.body.appendChild(host);
    document.addEventListener('keydown', function (e) { // focus left on a hidden element falls back to body
      if (e.key === 'Escape' && S.open && (document.activeElement === document.body || document.activeElement === host)) toggle(false);
    });
  }

  function field(name, label, type, required, testid, value) {
    var id = 'ld-f-' + name, a = { id: id, name: name, 'data-testid': testid, 'aria-describedby': id + '-err', 'aria-required': required && 'true',
      maxlength: name === 'message' ? MAX_TEXT : type === 'checkbox' ? null : 1000 }; // the server's limits
    if (type !== 'textarea') { a.type = type; a.autocomplete = name === 'name' || name === 'email' ? name : null; }
    var input = el(type === 'textarea' ? type : 'input', a);
    if (value != null) { if (type === 'checkbox') input.checked = !!value; else input.value = value; }
    var lab = el('label', { for: id, text: label + (required ? ' *' : '') });
    var err = el('div', { class: 'err', id: id + '-err', 'data-field-error': name });
    return el('div', { class: type === 'checkbox' ? 'cb' : '' }, type === 'checkbox' ? [input, lab, err] : [lab, input, err]);
  }
  function buildForm() {
    var fields = (S.form && S.form.fields) || [];
    var key = JSON.stringify(fields);
    if (key === fieldsKey) return;
    var old = {};
    if (formEl) Array.prototype.forEach.call(formEl.elements, function (i) { if (i.name) old[i.name] = i.type === 'checkbox' ? i.checked : i.value; });
    fieldsKey = key;
    var kids = [el('p', { text: M.offlineIntro }),
      field('name', M.name, 'text', false, 'offline-name', old.name),
      field('email', M.email, 'email', true, 'offline-email', old.email),
      field('message', M.message, 'textarea', true, 'offline-message', old.message)];
    fields.forEach(function (f) {
      var ty = /^(text|textarea|email|tel|number|checkbox)$/.test(f.type) ? f.type : 'text';
      kids.push(field('f_' + f.name, labelOf(f), ty, !!f.required, 'offline-field-' + f.name, old['f_' + f.name]));
    });
    kids.push(el('button', { type: 'submit', class: 'btn', 'data-testid': 'offline-submit', text: M.submit }));
    var f = el('form', { class: 'of', 'data-testid': 'offline-form', novalidate: true, onsubmit: submitForm }, kids);
    if (formEl) offEl.replaceChild(f, formEl); else offEl.appendChild(f);
    formEl = f;
  }
  function fieldError(name, msg) {
    if (!formEl) return;
    var n = formEl.querySelector('[data-field-error="' + name + '"]') || formEl.querySelector('[data-field-error="f_' + name + '"]');
    if (!n) { S.error = msg; return; }
    n.textContent = msg;
    var i = formEl.elements[n.getAttribute('data-field-error')];
    if (i) i.setAttribute('aria-invalid', 'true');
  }
  function submitForm(ev) {
    ev.preventDefault();
    if (S.submitting) return;
    var els = formEl.elements, ok = true, first = null, fields = {};
    formEl.querySelectorAll('.err').forEach(function (n) { n.textContent = ''; });
    Array.prototype.forEach.call(els, function (i) { i.removeAttribute('aria-invalid'); });
    function bad(name, msg) { fieldError(name, msg); ok = false; first = first || els[name]; }
    var email = els.email.value.trim(), msg = els.message.value.trim();
    if (!email) bad('email', M.required); else if (!/^[^\s@]+@[^\s@]+$/.test(email)) bad('email', M.badEmail);
    if (!msg) bad('message', M.required); else if (msg.length > MAX_TEXT) bad('message', t('tooLong', { n: MAX_TEXT.toLocaleString(LANG) }));
    ((S.form && S.form.fields) || []).forEach(function (f) {
      var i = els['f_' + f.name];
      if (!i) return;
      var v = i.type === 'checkbox' ? (i.checked ? 'true' : '') : i.value.trim();
      if (v) fields[f.name] = v; else if (f.required) bad('f_' + f.name, M.required);
    });
    if (!ok) { if (first) first.focus(); return; }
    var f = { type: 'offline.submit', id: uid(), email: email, message: msg }, d = formDeptID();
    if (d) f.department_id = d; // docs/protocol.md#offline-form-per-department
    if (els.name.value.trim()) f.name = els.name.value.trim();
    put('localStorage', 'name', f.name || null); // so the agent of a later chat knows the visitor by it
    if (Object.keys(fields).length) f.fields = fields;
    S.error = '';
    if (queue(f)) S.submitting = true;
    update();
  }

  function submitText() {
    var text = inputEl.value.trim();
    if (!text) return;
    if (text.length > MAX_TEXT) { S.error = t('tooLong', { n: MAX_TEXT.toLocaleString(LANG) }); return update(); }
    var id = uid(), ok, st = starting();
    stopTyping();
    if (!S.conv && !st) { // a new conversation: drop the transcript of an ended one
      S.msgs = S.msgs.filter(function (m) { return m.pending; });
      var start = { type: 'chat.start', id: id, text: text }, name = get('localStorage', 'name');
      if (name) start.name = name.slice(0, 200);
      if (startDept()) start.department_id = S.dept; // none: the server takes the first online
      ok = queue(start);
    } else ok = queue({ type: 'message', id: id, text: text }, !S.conv);
    if (!ok) return;
    S.msgs.push({ k: id, cid: id, from: 'visitor', text: text, pending: true });
    inputEl.value = ''; S.error = '';
    update();
  }

  var typing = { on: false, last: 0, idle: null };
  function onTyping() {
    if (!S.conv || !sock.connected) return;
    var now = Date.now();
    if (now - typing.last >= 2000) { typing.on = sock.send({ type: 'typing', state: true }); typing.last = now; }
    clearTimeout(typing.idle);
    typing.idle = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(typing.idle);
    if (typing.on) { typing.on = false; typing.last = 0; sock.send({ type: 'typing', state: false }); }
  }

  // ---- departments (docs/protocol.md#departments) ----
  function chosen() { return S.dept ? depts.find(S.dept) : undefined; }
  // startDept is the department a chat.start would name: the chosen one while online.
  function startDept() { var d = chosen(); return d && d.status.online ? d : undefined; }
  // formDeptID is the department the offline form is for: that of the chat.offline it
  // answers, else the one the visitor chose; null: the site's.
  function formDeptID() { return S.offline ? S.offline.dept : chosen() ? S.dept : null; }
  function formOn() { return !(S.form && S.form.enabled === false); }
  function pickDept(id) {
    var d = depts.find(id);
    if (!d || (!d.status.online && !formOn())) return; // offline, and no form to offer
    S.dept = id; S.offline = null; S.thanks = false;
    update(); focusView(view());
  }
  function unpick() {
    S.dept = null;
    if (S.offline && S.offline.dept) S.offline = null;
    update(); focusView(view());
  }
  function forgetDept(id) {
    depts.forget(id);
    if (S.dept === id) S.dept = null;
    if (S.offline && S.offline.dept === id) S.offline.dept = null;
  }

  // view is what the panel shows: the chat, the department picker (before the first
  // message, while more than one department is online), the offline form, or the thanks.
  function view() {
    if (S.conv || starting()) return 'chat';
    if (S.thanks) return 'thanks';
    if (S.offline) return 'offline';
    if (!(S.status && S.status.online)) return 'offline';
    if (startDept()) return 'chat';
    if (chosen() && formOn()) return 'offline'; // without a form an offline choice counts as none
    return depts.online().length > 1 || (S.open && S.picking && depts.all().length > 1) ? 'pick' : 'chat';
  }
  function hiddenAll() {
    if (!S.status) return !S.shown;
    return !S.conv && !starting() && !S.status.online && !formOn();
  }

  function toggle(open) {
    S.open = open;
    if (open) S.unread = false;
    else {
      S.thanks = false; stopTyping(); if (S.status && S.status.online) S.offline = null;
      if (!S.conv && !starting()) S.dept = null; // the next chat picks again
    }
    update();
    if (open) focusView(view()); else launcher.focus();
  }
  function focusView(v) {
    var n = v === 'chat' ? inputEl : v === 'thanks' ? thanksEl : v === 'pick' ? pickList.querySelector('button') :
      v === 'offline' && formEl && formEl.querySelector('input,textarea');
    (n || panel.querySelector('header button:last-child')).focus();
  }

  function renderMsgs() {
    var list = S.msgs.map(function (m, i) { return { m: m, i: i }; }).sort(function (a, b) {
      var x = a.m.seq != null && !a.m.pending ? a.m.seq : Infinity, y = b.m.seq != null && !b.m.pending ? b.m.seq : Infinity;
      return x - y || a.i - b.i;
    });
    var keep = {}, added = false;
    list.forEach(function (o, i) {
      var m = o.m, n = nodes[m.k];
      if (!n) {
        added = true;
        n = nodes[m.k] = el('div', { 'data-testid': 'message', 'data-from': m.from });
        if (m.from === 'agent') n.appendChild(el('div', { class: 'who', text: m.agent_name || (S.conv && S.conv.agent && S.conv.agent.name) || M.agent }));
        n.appendChild(el('div', { text: m.text }));
        n.appendChild(el('small'));
      }
      n.className = 'msg ' + m.from + (m.pending ? ' pending' : '') + (m.failed ? ' failed' : '');
      if (m.seq > 0) n.setAttribute('data-seq', m.seq);
      n.toggleAttribute('data-pending', !!m.pending);
      n.lastChild.textContent = m.pending ? M.sending : m.failed ? M.notSent : '';
      if (m.at) n.title = hm(new Date(m.at));
      keep[m.k] = 1;
      if (listEl.children[i] !== n) listEl.insertBefore(n, listEl.children[i] || null);
    });
    for (var k in nodes) if (!keep[k]) { nodes[k].remove(); delete nodes[k]; }
    return added;
  }

  function update() {
    if (!host) return;
    var a = root.activeElement, v = view(), old = S.view; // a view that turns hidden takes the focus along
    var moved = S.open && v !== old && a && [chatEl, pickEl, offEl, thanksEl, deptBar].some(function (c) { return c.contains(a); });
    S.view = v;
    S.picking = v === 'pick' && S.open;
    if (S.status) S.shown = true;
    var hide = hiddenAll();
    host.hidden = hide;
    host.style.display = hide ? 'none' : '';
    if (hide && S.open) S.open = false;
    var st = S.status, on = st && st.online, txt;
    if (!st) txt = M.connecting;
    else if (on) txt = M.online;
    // Paused by hand: opens_at is only the hours' next opening, not when the team is
    // back, so no time is promised (docs/protocol.md#paused).
    else if (st.reason === 'paused') txt = M.away;
    else txt = backText(st) || M.offline;
    statusEl.textContent = txt;
    launcher.classList.toggle('off', !on);
    launcher.classList.toggle('unread', S.unread);
    launcher.setAttribute('data-state', on ? 'online' : 'offline');
    launcher.setAttribute('aria-expanded', String(S.open));
    launcher.setAttribute('aria-label', (S.open ? M.closeChat : M.openChat) + ': ' + txt);
    panel.hidden = !S.open;

    chatEl.hidden = v !== 'chat';
    offEl.hidden = v !== 'offline';
    thanksEl.hidden = v !== 'thanks';
    pickEl.hidden = v !== 'pick';
    if (v === 'pick') depts.render(pickList, formOn());
    var c = S.conv;
    // The department a chat would start in, or the offline form is for, with a way
    // back to the picker while another department is online.
    var bd = v === 'offline' ? depts.find(formDeptID()) : v === 'chat' && !c && !starting() ? startDept() : undefined;
    deptBar.hidden = !bd;
    if (bd) {
      deptName.textContent = bd.name;
      deptState.textContent = deptLabel(bd.status);
      deptBack.hidden = !depts.online().some(function (d) { return d.id !== bd.id; });
    }
    subEl.textContent = !sock.connected && S.shown ? M.reconnecting :
      c && c.agent && c.agent.name ? t('assigned', { name: c.agent.name }) : txt;
    endBtn.hidden = !c;
    endBtn.disabled = !sock.connected;
    queueEl.hidden = !(c && c.state === 'queued');
    queueEl.textContent = S.queuePos != null ? t('queue', { n: S.queuePos }) : M.waiting;
    if (S.closesAt && (new Date(S.closesAt) <= srvNow() || (st && !st.online && !c))) S.closesAt = null;
    closingEl.hidden = !S.closesAt;
    if (S.closesAt) closingEl.textContent = t('closingSoon', { time: hm(new Date(S.closesAt)) });
    typingEl.hidden = !(S.agentTyping && c);
    errEl.hidden = !S.error;
    errEl.textContent = S.error;
    if (renderMsgs() && v === 'chat') listEl.scrollTop = listEl.scrollHeight;
    if (v === 'offline') {
      buildForm();
      var p = S.offline && S.offline.prefill;
      if (p && !S.prefilled) {
        S.prefilled = true;
        if (p.text) formEl.elements.message.value = p.text.slice(0, MAX_TEXT);
        if (p.name) formEl.elements.name.value = p.name;
        if (p.email) formEl.elements.email.value = p.email;
      }
      // The site closed while the visitor was typing: the draft moves to the form.
      if (old === 'chat' && !p && inputEl.value.trim() && !formEl.elements.message.value) formEl.elements.message.value = inputEl.value.trim();
      formEl.querySelector('[data-testid="offline-submit"]').disabled = S.submitting;
      formEl.querySelector('[data-testid="offline-submit"]').textContent = S.submitting ? M.sending : M.submit;
    }
    if (moved) focusView(v);
  }
  setInterval(function () {
    if (S.closesAt || (S.status && S.status.opens_at) || depts.all().some(function (d) { return d.status.opens_at; })) update();
  }, 30000);

  window.LivedeskWidget = {
    state: function () {
      return {
        connected: sock.connected, status: S.status,
        conversation: S.conv ? { id: S.conv.id, state: S.conv.state, agent: S.conv.agent, queue_position: S.queuePos } : null,
        pending: sock.outbox.length, open: S.open, view: view(),
        departments: depts.all().map(function (d) { return { id: d.id, name: d.name, status: d.status }; }), department: S.dept
      };
    },
    open: function () { toggle(true); },
    close: function () { toggle(false); }
  };

  function start() { build(); update(); sock.connect(); }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
