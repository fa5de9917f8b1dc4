/* Livedesk agent console: login, the agent socket, chats, presence, shifts. Served at
 * /console/, same origin as /api/v1 and /ws/agent. Plain JS, no dependencies; helpers
 * come from common.js, the socket client (connection, backoff, outbox) from socket.js,
 * the admin views from admin.js, agents.js, inbox.js, hours.js.
 * Protocol: docs/protocol.md#agent-socket. */
(function () {
  'use strict';
  var LD = window.LD, $ = LD.$, el = LD.el, store = LD.store, load = LD.load, uid = LD.uid, hm = LD.hm;
  var OUTBOX_KEY = 'livedesk:console:outbox';
  var BASE_TITLE = document.title;

  // ---- state ----
  var C = {
    welcomed: false,
    agent: null, presence: { status: 'online', reason: null }, shift: null,
    shiftEnding: null, shiftEnded: false, shiftExtended: null, snoozeId: null, sites: [], chats: {}, order: [], active: null,
    unseen: 0, lastActivity: 0, error: ''
  };
  var token = LD.token;
  // The agent socket; its outbox holds the messages until their message.ack.
  var sock = LivedeskSocket({
    url: function () { return (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/ws/agent'; },
    enabled: function () { return !!token(); },
    hello: function () { return { type: 'hello', token: token() }; },
    onframe: function (f) { handle(f); LD.emit('frame', f); }, // 'frame': for the other views (inbox.js)
    onclose: closed,
    load: function () { return load(OUTBOX_KEY); },
    save: function (v) { store(OUTBOX_KEY, v); }
  });
  LD.me = function () { return C.agent; };
  LD.siteStatus = function (id) { var s = findSite(id); return s ? s.status : null; };
  // For transfer.js and departments.js: the socket, the departments the socket knows
  // of a site, and how the console names a chat's visitor.
  LD.send = function (f) { return sock.send(f); };
  LD.connected = function () { return sock.connected; };
  LD.siteDepartments = function (id) { var s = findSite(id); return (s && s.departments) || []; };
  LD.chatOf = function (id) { return C.chats[id] || null; };
  LD.visitorName = function (c) { return visitorName(c); };

  // ---- login / logout ----
  function showLogin(loggedOut) {
    $('app-view').hidden = true;
    $('login-view').hidden = false;
    $('logged-out').hidden = !loggedOut;
    $('login-error').hidden = true;
    document.title = BASE_TITLE;
    $('login-email').focus();
  }
  function showApp() {
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    render();
  }
  function reset() {
    sock.stop();
    C.welcomed = false;
    C.chats = {}; C.order = []; C.active = null; C.sites = []; C.agent = null; C.shift = null;
    C.shiftEnding = null; C.shiftEnded = false; C.shiftExtended = null; C.snoozeId = null; C.unseen = 0; C.error = '';
    sock.keep(function () { return false; }); // a new login starts with an empty outbox
    $('chat-area').textContent = '';
  }
  function logout(loggedOut) {
    LD.setToken(null);
    reset();
    LD.emit('logout');
    showLogin(loggedOut);
  }
  LD.on('unauthorized', function () { if (token()) logout(true); }); // revoked or expired
  // Another part of the console changed the agent (My settings): keep the copy current.
  LD.on('self', function (a) {
    if (!C.agent || !a || a.id !== C.agent.id) return;
    var roleChanged = a.role !== C.agent.role;
    C.agent = a;
    render();
    if (roleChanged) LD.emit('agent', a);
  });
  $('logout').addEventListener('click', function () { logout(false); });

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var email = $('login-email').value.trim(), password = $('login-password').value;
    var err = $('login-error'), btn = $('login-submit');
    function fail(msg) { err.textContent = msg; err.hidden = false; btn.disabled = false; }
    if (!email || !password) return fail('Enter your e-mail and password');
    btn.disabled = true; err.hidden = true;
    unlockAudio();
    fetch('/api/v1/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: email, password: password })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (r.ok && b.token) {
          btn.disabled = false;
          $('login-password').value = '';
          LD.setToken(b.token);
          reset();
          C.agent = b.agent || null;
          showApp(); connect();
          LD.emit('agent', C.agent);
          return;
        }
        if (r.status === 401) fail('Wrong e-mail or password');
        else if (r.status === 429) fail('Too many attempts: wait a minute and try again');
        else fail((b.error && b.error.message) || 'Login failed (' + r.status + ')');
      });
    }).catch(function () { fail('Cannot reach the server'); });
  });

  // ---- connection ----
  function connect() {
    if (!token()) return showLogin(false);
    sock.connect();
  }
  function closed(ev) {
    if (ev.code === 4002) { logout(true); return false; }
    if (ev.code === 4001) { logout(false); return false; }
    render();
  }

  // ---- chats ----
  function chat(id) {
    var c = C.chats[id];
    if (!c) {
      c = C.chats[id] = { id: id, site_id: null, state: 'open', ended: false, endedBy: null, visitor: {},
        msgs: [], typing: false, unread: 0, pane: null, nodes: {}, out: { on: false, last: 0, idle: null } };
      C.order.push(id);
    }
    return c;
  }
  function applyConv(item, visitor) {
    var conv = item.conversation || item, v = visitor || item.visitor || conv.visitor || {};
    var c = chat(conv.id), isNew = !c.msgs.length && !c.site_id;
    c.site_id = conv.site_id || c.site_id;
    if (conv.state) c.department_id = conv.department_id || null;
    c.state = conv.state || c.state;
    c.visitor = {
      id: v.id || conv.visitor_id || c.visitor.id, name: v.name || conv.visitor_name || c.visitor.name,
      email: v.email || conv.visitor_email || c.visitor.email, page: v.page || conv.page || c.visitor.page,
      lang: v.lang || c.visitor.lang, timezone: v.timezone || c.visitor.timezone, number: v.number || c.visitor.number
    };
    if (conv.state === 'ended' || conv.state === 'missed') c.ended = true;
    (conv.messages || []).forEach(function (m) { addMsg(c, m); });
    if (c.pane) fillVisitor(c);
    return isNew;
  }
  function addMsg(c, m) {
    if (m.seq != null && c.msgs.some(function (x) { return x.seq === m.seq && !x.pending; })) return false;
    c.msgs.push({ k: m.seq != null ? 's' + m.seq : 'n' + uid(), seq: m.seq, from: m.from, text: m.text, at: m.at, agent_name: m.agent_name });
    return true;
  }
  function findPending(id) {
    for (var k in C.chats) {
      var ms = C.chats[k].msgs;
      for (var i = 0; i < ms.length; i++) if (ms[i].cid === id) return { c: C.chats[k], m: ms[i] };
    }
    return null;
  }
  function flush() {
    sock.flush(function (e) {
      var f = e.f, c = C.chats[f.conversation_id];
      if (c && !findPending(f.id)) c.msgs.push({ k: f.id, cid: f.id, from: 'agent', text: f.text, pending: true });
    });
  }
  function sendMessage(c) {
    var input = c.pane.querySelector('textarea'), text = input.value.trim();
    if (!text || c.ended) return;
    var f = { type: 'message', id: uid(), conversation_id: c.id, text: text };
    if (!sock.fits(f)) return showError('This message is too long');
    stopTyping(c);
    sock.queue(f);
    c.msgs.push({ k: f.id, cid: f.id, from: 'agent', text: text, pending: true });
    input.value = '';
    render();
  }
  function onTyping(c) {
    if (!sock.connected || c.ended) return;
    var now = Date.now();
    if (now - c.out.last >= 2000) { c.out.on = sock.send({ type: 'typing', conversation_id: c.id, state: true }); c.out.last = now; }
    clearTimeout(c.out.idle);
    c.out.idle = setTimeout(function () { stopTyping(c); }, 3000);
  }
  function stopTyping(c) {
    clearTimeout(c.out.idle);
    if (c.out.on) { c.out.on = false; c.out.last = 0; sock.send({ type: 'typing', conversation_id: c.id, state: false }); }
  }
  function markEnded(c, by) {
    c.ended = true; c.endedBy = by || c.endedBy; c.state = 'ended'; c.typing = false;
    stopTyping(c);
  }

  // ---- notices ----
  var actx = null;
  function unlockAudio() {
    try {
      if (!actx) actx = new (window.AudioContext || window.webkitAudioContext)();
      if (actx.state === 'suspended') actx.resume();
    } catch (e) { actx = null; }
  }
  function beep() {
    try {
      unlockAudio();
      var t = actx.currentTime, o = actx.createOscillator(), g = actx.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.15, t);
      g.gain.exponentialRampToValueAtTime(0.001, t + 0.25);
      o.connect(g); g.connect(actx.destination);
      o.start(t); o.stop(t + 0.25);
    } catch (e) {}
  }
  function notifyNewChat() {
    C.unseen++;
    document.title = '(' + C.unseen + ') New chat - ' + BASE_TITLE;
    beep();
  }
  function seen() {
    if (!C.unseen) return;
    C.unseen = 0;
    document.title = BASE_TITLE;
  }
  window.addEventListener('focus', seen);
  var errTimer;
  function showError(msg) {
    C.error = msg;
    clearTimeout(errTimer);
    errTimer = setTimeout(function () { C.error = ''; render(); }, 8000);
    render();
  }

  // ---- activity (idle detection is the server's) ----
  function activity() {
    if (!sock.connected) return;
    var now = Date.now();
    if (now - C.lastActivity < 30000) return;
    C.lastActivity = now;
    sock.send({ type: 'activity' });
  }
  ['mousemove', 'keydown', 'click', 'scroll', 'focus'].forEach(function (t) {
    window.addEventListener(t, activity, { capture: true, passive: true });
  });
  ['click', 'keydown'].forEach(function (t) {
    window.addEventListener(t, function () { unlockAudio(); seen(); }, true);
  });

  // ---- frames ----
  function normSite(s) {
    var q = s.queue_length != null ? s.queue_length : typeof s.queue === 'number' ? s.queue : 0;
    return { id: s.id || s.site_id, name: s.name || s.id || s.site_id, status: s.status || null, queue: q, departments: LD.deptList(s.departments) };
  }
  function findSite(id) {
    for (var i = 0; i < C.sites.length; i++) if (C.sites[i].id === id) return C.sites[i];
    return null;
  }
  function site(id) {
    var s = findSite(id);
    if (s) return s;
    s = { id: id, name: id, status: null, queue: 0 };
    C.sites.push(s);
    // A site created after the welcome: frames carry no name, the API has it.
    LD.api('GET', '/sites/' + encodeURIComponent(id)).then(function (r) { if (r.ok) { s.name = r.body.name; render(); } });
    return s;
  }
  LD.on('site', function (x) { var s = findSite(x.id); if (s && s.name !== x.name) { s.name = x.name; render(); } });
  function warnMinutes() { return C.agent && C.agent.shift_warning_minutes != null ? C.agent.shift_warning_minutes : 10; }
  function shiftWarning(sh) { // is a shift frame still inside the warning window (server time)?
    if (!sh || !sh.on_shift || !sh.ends_at) return false;
    return new Date(sh.ends_at) - LD.now() <= warnMinutes() * 60000;
  }
  function handle(f) {
    var c, p;
    switch (f.type) {
      case 'welcome':
        LD.setServerNow(f.now); // before shiftWarning below
        var first = !C.welcomed, seenIds = {};
        C.welcomed = true;
        C.agent = f.agent || C.agent;
        C.presence = typeof f.presence === 'string' ? { status: f.presence, reason: null } : f.presence || C.presence;
        C.shift = f.shift || null;
        C.shiftEnding = shiftWarning(C.shift) ? C.shift.ends_at : null;
        C.shiftEnded = !!(C.shift && !C.shift.on_shift && C.shiftEnded);
        C.sites = (f.sites || []).map(normSite);
        LD.emit('agent', C.agent);
        LD.emit('sites');
        (f.conversations || []).forEach(function (item) {
          var id = (item.conversation || item).id;
          seenIds[id] = 1;
          if (applyConv(item) && !first) notifyNewChat();
        });
        C.order.forEach(function (id) { if (!seenIds[id] && !C.chats[id].ended) markEnded(C.chats[id], null); });
        if (!C.active && C.order.length) C.active = C.order[0];
        flush();
        break;
      case 'presence':
        C.presence = { status: f.status, reason: f.reason || null };
        break;
      case 'site.status':
        site(f.site_id).status = f.status;
        LD.deptStatuses(site(f.site_id), f.departments);
        LD.emit('sites');
        break;
      case 'queue':
        if (f.department_id) LD.deptQueue(site(f.site_id), f.department_id, f.length);
        else site(f.site_id).queue = f.length || 0;
        break;
      case 'department.status':
        if (!LD.deptStatus(C.sites, f.department_id, f.status)) return; // a department it does not know
        LD.emit('sites');
        break;
      case 'chat.transferred': // no longer this agent's (docs/protocol.md#transfers)
        c = C.chats[f.conversation_id];
        if (c) { stopTyping(c); closeChat(c); }
        return;
      case 'chat.assigned':
        if (!f.conversation) return;
        applyConv(f.conversation, f.visitor);
        if (f.transfer) C.chats[f.conversation.id].transfer = f.transfer;
        if (!C.active || (C.chats[C.active] && C.chats[C.active].ended)) C.active = f.conversation.id;
        notifyNewChat();
        break;
      case 'message':
        c = chat(f.conversation_id);
        if (addMsg(c, f) && f.from === 'visitor') {
          c.typing = false;
          if (C.active !== c.id || document.hidden) c.unread++;
        }
        break;
      case 'message.ack':
        sock.ack(f.re);
        p = findPending(f.re);
        if (p) {
          if (p.c.msgs.some(function (x) { return x.seq === f.seq && !x.pending; })) p.c.msgs.splice(p.c.msgs.indexOf(p.m), 1);
          else { p.m.pending = false; p.m.seq = f.seq; p.m.at = f.at; }
        }
        break;
      case 'typing':
        c = C.chats[f.conversation_id];
        if (!c) return;
        c.typing = !!f.state && !c.ended;
        clearTimeout(c.typingTimer);
        if (c.typing) c.typingTimer = setTimeout(function () { c.typing = false; render(); }, 5000);
        break;
      case 'chat.ended':
        c = C.chats[f.conversation_id];
        if (c) markEnded(c, f.by);
        break;
      case 'shift':
        C.shift = { on_shift: f.on_shift, ends_at: f.ends_at, starts_at: f.starts_at, snoozed_until: f.snoozed_until || null };
        C.shiftEnding = shiftWarning(C.shift) ? f.ends_at : null;
        // The answer to "one more hour": say until when, until the next warning.
        if (f.re && f.re === C.snoozeId) C.shiftExtended = f.on_shift && f.ends_at && !C.shiftEnding ? f.ends_at : null;
        if (f.on_shift) C.shiftEnded = false;
        break;
      case 'shift.ending':
        C.shiftEnding = f.ends_at; C.shiftEnded = false; C.shiftExtended = null;
        break;
      case 'shift.ended':
        C.shiftEnding = null; C.shiftEnded = true; C.shiftExtended = null;
        if (C.shift) C.shift.on_shift = false;
        break;
      case 'force_logout':
        return logout(true);
      case 'error':
        if (f.re && LD.transferOwns(f.re)) return; // answered in the transfer dialog
        p = f.re ? findPending(f.re) : null;
        if (p && (f.code === 'unavailable' || f.code === 'rate_limited')) {
          sock.resendLater(f.re);
          return;
        }
        if (f.re) sock.ack(f.re);
        if (p) { p.m.pending = false; p.m.failed = f.message || f.code; }
        if (f.re || f.code !== 'rate_limited') showError(f.message || f.code);
        break;
      default:
        return; // pong, unknown types
    }
    render();
  }

  // ---- rendering ----
  function presenceLabel(o) {
    var s = o.value;
    o.textContent = s.charAt(0).toUpperCase() + s.slice(1) + (s === 'away' && C.presence.reason === 'idle' ? ' (idle)' : '');
  }
  $('presence').addEventListener('change', function () {
    sock.send({ type: 'presence.set', id: uid(), status: this.value });
  });
  $('snooze').addEventListener('click', function () {
    C.snoozeId = uid();
    sock.send({ type: 'shift.snooze', id: C.snoozeId });
  });
  $('snooze-ok').addEventListener('click', function () { C.shiftExtended = null; render(); });
  // A running snooze can be shortened by 15 minutes or cancelled
  // (docs/protocol.md#agent-socket, shift.snooze.end).
  $('snooze-shorten').addEventListener('click', function () {
    var end = shortenedSnooze();
    if (!end) return;
    C.snoozeId = uid();
    sock.send({ type: 'shift.snooze.end', id: C.snoozeId, until: end });
  });
  $('snooze-cancel').addEventListener('click', function () {
    C.snoozeId = uid();
    C.shiftExtended = null;
    sock.send({ type: 'shift.snooze.end', id: C.snoozeId });
  });
  // shortenedSnooze is the running snooze's end 15 minutes sooner, when that is
  // still a minute or more ahead on the server's clock (else null: cancel instead).
  function shortenedSnooze() {
    var s = C.shift;
    if (!s || !s.on_shift || !s.snoozed_until) return null;
    var t = Date.parse(s.snoozed_until) - 15 * 60000;
    return t - LD.now() >= 60000 ? new Date(t).toISOString().replace('.000Z', 'Z') : null;
  }

  function countdown() {
    if (!C.shiftEnding) return;
    var s = Math.max(0, Math.round((new Date(C.shiftEnding) - LD.now()) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, ss = s % 60;
    $('shift-countdown').textContent = 'Your shift ends in ' + (h ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' + (ss < 10 ? '0' : '') + ss;
  }
  setInterval(countdown, 1000);
  setInterval(function () { // the visitors' clocks in the chat list and the chat's header
    var c = C.active && C.chats[C.active];
    if (c && c.pane) fillVisitor(c);
    if (!$('app-view').hidden) renderTabs();
  }, 30000);

  function shiftText() {
    var s = C.shift;
    if (!s) return '';
    if (s.on_shift) return s.ends_at ? 'On shift until ' + hm(s.ends_at) : 'On shift';
    return 'Off shift' + (s.starts_at ? ' · next shift ' + hm(s.starts_at) : '');
  }

  function renderSites() {
    var ul = $('sites');
    ul.textContent = '';
    C.sites.forEach(function (s) {
      var st = s.status, on = !!(st && st.online);
      var txt = LD.statusText(st);
      ul.appendChild(el('li', { 'data-testid': 'site', 'data-site-id': s.id, 'data-online': String(on) }, [
        el('span', { class: 'name', text: s.name }),
        el('span', { class: 'site-status' + (on ? ' on' : ''), 'data-testid': 'site-status', text: txt }),
        s.queue ? el('span', { class: 'queue', 'data-testid': 'site-queue', text: 'Queue: ' + s.queue }) : null,
        LD.deptItems(s)
      ]));
    });
  }

  // Who the visitor is to an agent: the name it gave, else its number on the site
  // ("Visitor 1042", docs/protocol.md#visitor-number), else its e-mail; never an id.
  function visitorName(c) {
    var v = c.visitor;
    return v.name || (v.number ? 'Visitor ' + v.number : v.email || 'Visitor');
  }
  function select(id) {
    C.active = id;
    var c = C.chats[id];
    if (c) c.unread = 0;
    seen();
    render();
  }
  function renderTabs() {
    var box = $('tabs'), focused = document.activeElement && document.activeElement.getAttribute('data-conversation-id');
    box.textContent = '';
    C.order.forEach(function (id) {
      var c = C.chats[id], s = c.site_id && findSite(c.site_id);
      var b = el('button', {
        type: 'button', role: 'tab', class: 'tab' + (c.ended ? ' ended' : ''), 'data-testid': 'chat-tab',
        'data-conversation-id': id, 'aria-selected': String(C.active === id), 'aria-controls': 'chat-pane',
        onclick: function () { select(id); }
      }, [
        el('span', { class: 'who', 'data-testid': 'chat-tab-name', text: visitorName(c) }),
        el('span', { class: 'sub', text: [s && s.name, c.ended ? 'ended' : c.typing ? 'typing…' : ''].filter(Boolean).join(' · ') }),
        c.visitor.page ? el('span', { class: 'sub page', 'data-testid': 'chat-tab-page', title: c.visitor.page, text: c.visitor.page }) : null,
        locale(c, 'chat-tab-locale'),
        c.unread ? el('span', { class: 'badge', text: String(c.unread), 'aria-label': c.unread + ' unread' }) : null
      ]);
      box.appendChild(b);
      if (focused === id) b.focus();
    });
    $('no-chats').hidden = C.order.length > 0;
  }

  // The visitor's language and local time, or null when the widget said neither.
  function locale(c, testid) {
    var loc = LD.visitorLocale(c.visitor.lang, c.visitor.timezone);
    return loc ? el('span', { class: 'sub muted', 'data-testid': testid, text: loc }) : null;
  }
  // The header of a chat. Everything in it is the visitor's own text, so it is set as
  // text: the page URL is shown, never made a link (a javascript: URL must not run).
  function fillVisitor(c) {
    var box = c.pane.querySelector('.vinfo'), v = c.visitor;
    box.textContent = '';
    box.appendChild(el('strong', { 'data-testid': 'visitor-name', text: visitorName(c) }));
    if (v.email) box.appendChild(el('a', { href: 'mailto:' + v.email, 'data-testid': 'visitor-email', text: v.email })); // checked by the server
    if (v.page) box.appendChild(el('span', { class: 'page', 'data-testid': 'visitor-page', title: v.page, text: v.page }));
    var s = c.site_id && findSite(c.site_id), loc = locale(c, 'visitor-locale');
    if (loc) box.appendChild(loc);
    if (s) box.appendChild(el('span', { class: 'muted', text: s.name }));
  }
  function buildPane(c) {
    var input = el('textarea', {
      'data-testid': 'chat-input', 'aria-label': 'Reply', placeholder: 'Type a reply… (Enter to send, Shift+Enter for a new line)',
      rows: 2, oninput: function () { onTyping(c); },
      onkeydown: function (e) { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(c); } }
    });
    c.pane = el('section', { class: 'pane', id: 'chat-pane', role: 'tabpanel', 'data-testid': 'chat', 'data-conversation-id': c.id }, [
      el('div', { class: 'vinfo', 'data-testid': 'visitor-info' }),
      el('p', { class: 'transfer-note', 'data-testid': 'chat-transfer-note', hidden: true }),
      el('div', { class: 'msgs', 'data-testid': 'chat-messages', role: 'log', 'aria-live': 'polite' }),
      el('div', { class: 'typing', 'data-testid': 'chat-typing', text: 'Visitor is typing…', hidden: true }),
      el('div', { class: 'ended-note', 'data-testid': 'chat-ended-note', hidden: true }),
      el('form', { class: 'compose', onsubmit: function (e) { e.preventDefault(); sendMessage(c); } }, [
        input,
        el('button', { type: 'submit', class: 'primary', 'data-testid': 'chat-send', text: 'Send' }),
        el('button', {
          type: 'button', class: 'danger', 'data-testid': 'chat-end', text: 'End',
          onclick: function () { if (!c.ended) sock.send({ type: 'chat.end', id: uid(), conversation_id: c.id }); }
        }),
        el('button', { type: 'button', 'data-testid': 'chat-transfer', text: 'Transfer', onclick: function () { LD.openTransfer(c.id); } }),
        el('button', { type: 'button', 'data-testid': 'chat-close', text: 'Close', hidden: true, onclick: function () { closeChat(c); } })
      ])
    ]);
    fillVisitor(c);
  }
  function closeChat(c) { // drop an ended chat from the list (local only)
    delete C.chats[c.id];
    C.order = C.order.filter(function (id) { return id !== c.id; });
    if (C.active === c.id) C.active = C.order[0] || null;
    render();
  }
  function renderMsgs(c) {
    var box = c.pane.querySelector('.msgs'), keep = {}, added = false;
    var atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    c.msgs.map(function (m, i) { return { m: m, i: i }; }).sort(function (a, b) {
      var x = a.m.seq != null && !a.m.pending ? a.m.seq : Infinity, y = b.m.seq != null && !b.m.pending ? b.m.seq : Infinity;
      return x - y || a.i - b.i;
    }).forEach(function (o, i) {
      var m = o.m, n = c.nodes[m.k];
      if (!n) {
        added = true;
        var who = m.from === 'visitor' ? visitorName(c) : m.from === 'agent' ? (m.agent_name || (C.agent && C.agent.name) || 'Agent') : '';
        n = c.nodes[m.k] = el('div', { 'data-testid': 'chat-message', 'data-from': m.from }, [
          who ? el('span', { class: 'who', text: who }) : null, el('span', { class: 'text', text: m.text }), el('span', { class: 'meta' })
        ]);
      }
      n.className = 'msg ' + m.from + (m.pending ? ' pending' : '') + (m.failed ? ' failed' : '');
      n.toggleAttribute('data-pending', !!m.pending);
      if (m.seq > 0) n.setAttribute('data-seq', m.seq);
      n.lastChild.textContent = m.pending ? 'Sending…' : m.failed ? 'Not sent: ' + m.failed : m.at ? hm(m.at) : '';
      keep[m.k] = 1;
      if (box.children[i] !== n) box.insertBefore(n, box.children[i] || null);
    });
    for (var k in c.nodes) if (!keep[k]) { c.nodes[k].remove(); delete c.nodes[k]; }
    if (added && atEnd) box.scrollTop = box.scrollHeight;
  }
  function renderChat() {
    var area = $('chat-area'), c = C.active && C.chats[C.active];
    if (!c) {
      if (!area.querySelector('.empty')) { area.textContent = ''; area.appendChild(el('p', { class: 'empty', text: 'No chat selected.' })); }
      return;
    }
    if (!c.pane) buildPane(c);
    if (area.firstChild !== c.pane) { area.textContent = ''; area.appendChild(c.pane); c.pane.querySelector('.msgs').scrollTop = 1e9; }
    c.unread = document.hidden ? c.unread : 0;
    renderMsgs(c);
    var q = function (sel) { return c.pane.querySelector(sel); };
    q('.typing').hidden = !c.typing;
    q('.ended-note').hidden = !c.ended;
    q('.ended-note').textContent = c.endedBy === 'visitor' ? 'The visitor ended this chat.' :
      c.endedBy === 'agent' ? 'This chat was ended by an agent.' : 'This chat has ended.';
    q('textarea').disabled = c.ended;
    q('textarea').readOnly = c.ended;
    q('[data-testid="chat-send"]').disabled = c.ended;
    q('[data-testid="chat-end"]').disabled = c.ended || !sock.connected;
    q('[data-testid="chat-end"]').hidden = c.ended;
    q('[data-testid="chat-close"]').hidden = !c.ended;
    q('[data-testid="chat-transfer"]').hidden = c.ended;
    q('[data-testid="chat-transfer"]').disabled = !sock.connected;
    var tr = c.transfer || LD.transferOf(c.id);
    q('.transfer-note').hidden = !tr;
    q('.transfer-note').textContent = tr ? LD.transferText(tr) : '';
  }

  function render() {
    if ($('app-view').hidden) return;
    $('agent-name').textContent = C.agent ? C.agent.name || C.agent.email || '' : '';
    $('connection').textContent = sock.connected ? '' : 'Reconnecting…';
    var sel = $('presence');
    sel.value = C.presence.status || 'online';
    Array.prototype.forEach.call(sel.options, presenceLabel);
    sel.disabled = !sock.connected;
    sel.setAttribute('data-reason', C.presence.reason || '');
    $('shift-info').textContent = shiftText();
    var banner = $('shift-banner'), ended = $('shift-ended'), snooze = $('snooze');
    banner.hidden = !C.shiftEnding && !C.shiftExtended;
    banner.className = 'banner ' + (C.shiftEnding ? 'warn' : 'info');
    $('shift-countdown').hidden = !C.shiftEnding;
    $('shift-extended').hidden = !!C.shiftEnding || !C.shiftExtended;
    $('shift-extended').textContent = C.shiftExtended ? 'Shift extended: you are on until ' + hm(C.shiftExtended) : '';
    $('snooze-ok').hidden = !!C.shiftEnding;
    ended.hidden = !C.shiftEnded;
    if (C.shiftEnded && snooze.parentNode !== ended) ended.appendChild(snooze);
    else if (!C.shiftEnded && snooze.parentNode !== banner) banner.appendChild(snooze);
    snooze.disabled = !sock.connected;
    $('snooze-controls').hidden = !(C.shift && C.shift.on_shift && C.shift.snoozed_until);
    $('snooze-shorten').disabled = !sock.connected || !shortenedSnooze();
    $('snooze-cancel').disabled = !sock.connected;
    countdown();
    var err = $('console-error');
    err.hidden = !C.error;
    err.textContent = C.error;
    renderSites();
    renderTabs();
    renderChat();
    var open = C.order.filter(function (id) { return !C.chats[id].ended; }).length;
    $('nav-chats-count').textContent = open ? String(open) : '';
  }

  window.LivedeskConsole = {
    state: function () {
      return {
        loggedIn: !!token(), connected: sock.connected, agent: C.agent, presence: C.presence, shift: C.shift,
        shiftEnding: C.shiftEnding, shiftEnded: C.shiftEnded, shiftExtended: C.shiftExtended, sites: C.sites, active: C.active,
        pending: sock.outbox.length, serverNow: new Date(LD.now()).toISOString(), view: LD.view ? LD.view() : 'chats',
        admin: LD.viewState ? LD.viewState() : {}, errors: LD.errors.slice(),
        chats: C.order.map(function (id) {
          var c = C.chats[id];
          return { id: id, site_id: c.site_id, department_id: c.department_id, transfer: c.transfer || null, state: c.state, ended: c.ended, ended_by: c.endedBy, visitor: c.visitor,
            messages: c.msgs.length, typing: c.typing, unread: c.unread };
        })
      };
    }
  };

  if (token()) { showApp(); connect(); LD.emit('agent', null); } else showLogin(false);
})();
