/* Livedesk console: the transfer dialog and the hand-over at shift end
 * (docs/protocol.md#transfers, docs/protocol.md#handover). "Transfer" on an open chat
 * lists the agents available now with their load (GET /sites/{id}/agents/available)
 * and the site's departments with their status (as the agent socket keeps them,
 * deptstatus.js), takes an optional note, and sends chat.transfer. The dialog stays
 * open until the answer: chat.transferred closes it (console.js drops the chat), an
 * error is shown in it and nothing changes. shift.ending's list of open chats offers
 * "Hand over" for each, which opens the dialog on that chat. */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el, $ = LD.$;
  var NOTE_MAX = 1000;
  function fresh() {
    return { open: false, conv: null, site: null, dept: null, choice: null, pending: null, error: null, agents: null,
      loadError: null, loads: 0, done: 0, handover: [] };
  }
  var T = fresh(), dlg = null, parts = {};

  // The transfers of the chats handed to this agent, kept for the tab's session: the
  // welcome after a reload says nothing of them, and the note must still show.
  var TRANSFERS_KEY = 'livedesk:console:transfers';
  function transfers() {
    try { return JSON.parse(LD.load(TRANSFERS_KEY) || '{}') || {}; } catch (e) { return {}; }
  }
  // transferOf is the transfer that brought the chat to this agent, or null.
  LD.transferOf = function (id) { return transfers()[id] || null; };

  // transferOwns: is re the id of the chat.transfer the dialog waits on? Its error is
  // then the dialog's to show, not the console's banner.
  LD.transferOwns = function (re) { return !!T.pending && T.pending === re; };
  // transferText is what the new agent reads of a transfer: "Transferred by Ann: note".
  LD.transferText = function (t) {
    var who = (t.from_agent && (t.from_agent.name || t.from_agent.id)) || 'another agent';
    return 'Transferred by ' + who + (t.note ? ': ' + t.note : '');
  };

  function build() {
    parts.title = el('h3', { 'data-testid': 'transfer-title' });
    parts.agents = el('div', { class: 'choices', 'data-testid': 'transfer-agents' });
    parts.depts = el('div', { class: 'choices', 'data-testid': 'transfer-departments' });
    parts.deptBox = el('fieldset', {}, [el('legend', { text: 'Departments' }), parts.depts]);
    parts.note = el('textarea', { id: 'transfer-note', 'data-testid': 'transfer-note', rows: 3, maxlength: NOTE_MAX,
      placeholder: 'What the next agent should know (the visitor does not see it)' });
    parts.error = el('p', { class: 'error', 'data-testid': 'transfer-error', role: 'alert', hidden: true });
    parts.send = el('button', { type: 'submit', class: 'primary', 'data-testid': 'transfer-send', text: 'Transfer' });
    dlg = el('dialog', { class: 'transfer', 'data-testid': 'transfer-dialog', 'aria-labelledby': 'transfer-title',
      oncancel: function () { close(); } }, [
      el('form', { novalidate: true, onsubmit: function (e) { e.preventDefault(); send(); } }, [
        parts.title,
        el('fieldset', {}, [el('legend', { text: 'Agents available now' }), parts.agents,
          el('button', { type: 'button', class: 'link', 'data-testid': 'transfer-refresh', text: 'Refresh', onclick: loadAgents })]),
        parts.deptBox,
        el('label', { for: 'transfer-note', text: 'Note for the next agent (optional)' }), parts.note,
        parts.error,
        el('div', { class: 'actions' }, [parts.send,
          el('button', { type: 'button', 'data-testid': 'transfer-cancel', text: 'Cancel', onclick: function () { close(); } })])
      ])
    ]);
    parts.title.id = 'transfer-title';
    document.body.appendChild(dlg);
  }

  // openTransfer opens the dialog on one of the agent's open chats. The chat's own
  // department is chosen at first when it is online (what a hand-over usually wants).
  LD.openTransfer = function (convId) {
    var c = LD.chatOf(convId);
    if (!c || c.ended) return;
    if (!dlg) build();
    T.open = true; T.conv = c.id; T.site = c.site_id; T.dept = c.department_id || null;
    T.pending = null; T.error = null; T.agents = null; T.loadError = null;
    var own = T.dept && dept(T.dept);
    T.choice = own && own.status && own.status.online ? 'dept:' + own.id : null;
    parts.title.textContent = 'Transfer the chat with ' + LD.visitorName(c);
    parts.note.value = '';
    render();
    if (!dlg.open) dlg.showModal();
    loadAgents();
  };
  function close() {
    T.open = false; T.pending = null;
    if (dlg && dlg.open) dlg.close();
  }
  function dept(id) {
    return LD.siteDepartments(T.site).filter(function (d) { return d.id === id; })[0] || null;
  }
  function loadAgents() {
    var conv = T.conv, n = ++T.loads;
    LD.api('GET', '/sites/' + encodeURIComponent(T.site) + '/agents/available').then(function (r) {
      if (!T.open || conv !== T.conv || n !== T.loads) return;
      T.agents = r.ok ? (r.body.agents || []) : [];
      T.loadError = r.ok ? null : r.error.message;
      render();
    });
  }

  // Why an agent of the list cannot take this chat, or '' when it can.
  function agentBlock(a) {
    if (a.max_chats > 0 && a.open >= a.max_chats) return 'full';
    if (T.dept && (a.departments || []).indexOf(T.dept) < 0) return 'not in ' + ((dept(T.dept) || {}).name || 'this department');
    return '';
  }
  function choice(kind, id, label, sub, blocked, testid) {
    var key = kind + ':' + id;
    if (blocked && T.choice === key) T.choice = null;
    var input = el('input', { type: 'radio', name: 'transfer-target', value: key, checked: T.choice === key, disabled: !!blocked,
      onchange: function () { T.choice = key; } });
    var attrs = { class: 'check choice' + (blocked ? ' blocked' : ''), 'data-testid': testid };
    attrs['data-' + (kind === 'agent' ? 'agent' : 'department') + '-id'] = id;
    return el('label', attrs, [input, el('span', { class: 'name', text: label }), el('span', { class: 'muted', text: sub })]);
  }
  function render() {
    if (!dlg) return;
    var me = LD.me() || {};
    parts.agents.textContent = '';
    if (T.loadError) parts.agents.appendChild(el('p', { class: 'error', text: 'Could not list the agents: ' + T.loadError }));
    else if (!T.agents) parts.agents.appendChild(el('p', { class: 'muted', text: 'Loading…' }));
    else {
      var others = T.agents.filter(function (a) { return a.id !== me.id; });
      if (!others.length) parts.agents.appendChild(el('p', { class: 'muted', 'data-testid': 'transfer-no-agents', text: 'No other agent is available now.' }));
      others.forEach(function (a) {
        var why = agentBlock(a), load = a.open + (a.max_chats > 0 ? '/' + a.max_chats : '') + ' chats';
        parts.agents.appendChild(choice('agent', a.id, a.name || 'Agent', load + (why ? ' · ' + why : ''), why, 'transfer-agent'));
      });
    }
    var depts = LD.siteDepartments(T.site);
    parts.deptBox.hidden = !depts.length;
    parts.depts.textContent = '';
    depts.forEach(function (d) {
      var on = !!(d.status && d.status.online);
      parts.depts.appendChild(choice('dept', d.id, d.name, LD.statusText(d.status) + (d.id === T.dept ? ' · this chat\'s' : ''),
        !on, 'transfer-department'));
    });
    parts.error.hidden = !T.error;
    parts.error.textContent = T.error || '';
    parts.send.disabled = !!T.pending;
    parts.send.textContent = T.pending ? 'Transferring…' : 'Transfer';
  }
  function send() {
    if (T.pending) return;
    var note = parts.note.value.trim();
    T.error = null;
    if (!T.choice) T.error = 'Choose an agent or a department.';
    else if ([...note].length > NOTE_MAX) T.error = 'The note is too long (at most ' + NOTE_MAX + ' characters).';
    else if (!LD.connected()) T.error = 'Not connected: try again when the console is back online.';
    if (T.error) return render();
    var at = T.choice.indexOf(':'), kind = T.choice.slice(0, at), id = T.choice.slice(at + 1);
    var f = { type: 'chat.transfer', id: LD.uid(), conversation_id: T.conv };
    f[kind === 'agent' ? 'to_agent_id' : 'to_department_id'] = id;
    if (note) f.note = note;
    T.pending = f.id;
    if (!LD.send(f)) { T.pending = null; T.error = 'Not connected: try again when the console is back online.'; }
    render();
  }

  // ---- hand-over at shift end: the shift.ending's chats, in the shift banner ----
  function renderHandover() {
    var box = $('handover');
    box.textContent = '';
    var list = T.handover.filter(function (h) { var c = LD.chatOf(h.id); return c && !c.ended; });
    box.hidden = !list.length;
    if (!list.length) return;
    box.appendChild(el('span', { text: 'Hand over:' }));
    list.forEach(function (h) {
      var name = h.visitor_name || (h.visitor_number ? 'Visitor ' + h.visitor_number : LD.visitorName(LD.chatOf(h.id)));
      box.appendChild(el('button', { type: 'button', 'data-testid': 'handover-open', 'data-conversation-id': h.id,
        text: name, title: 'Transfer the chat with ' + name, onclick: function () { LD.openTransfer(h.id); } }));
    });
  }

  LD.on('frame', function (f) {
    switch (f.type) {
      case 'chat.transferred':
      case 'chat.ended':
        if (T.open && f.conversation_id === T.conv) { if (f.type === 'chat.transferred') T.done++; close(); }
        renderHandover();
        return;
      case 'error':
        if (!LD.transferOwns(f.re)) return;
        T.pending = null;
        T.error = 'Not transferred: ' + (f.message || f.code);
        return render();
      case 'chat.assigned':
        if (f.transfer && f.conversation) {
          var kept = transfers();
          kept[f.conversation.id] = f.transfer;
          LD.store(TRANSFERS_KEY, JSON.stringify(kept));
        }
        return;
      case 'welcome': // a reconnect: an answer on the old socket is lost
        var open = {}, had = transfers();
        (f.conversations || []).forEach(function (item) { var id = (item.conversation || item).id; if (had[id]) open[id] = had[id]; });
        LD.store(TRANSFERS_KEY, JSON.stringify(open));
        if (T.pending) { T.pending = null; T.error = 'The connection was lost: check the chat list, then try again.'; }
        if (T.open && !(LD.chatOf(T.conv) && !LD.chatOf(T.conv).ended)) close();
        render();
        return renderHandover();
      case 'site.status':
      case 'department.status': // availability changed somewhere: list the agents again
        if (T.open) loadAgents();
        return render();
      case 'shift.ending':
        T.handover = f.conversations || [];
        return renderHandover();
      case 'shift.ended':
        T.handover = [];
        return renderHandover();
    }
  });

  // Not a section of its own: registered with the views for the console's state and
  // for the reset at logout.
  LD.views.transfer = {
    show: function () {},
    reset: function () { close(); T = fresh(); LD.store(TRANSFERS_KEY, null); renderHandover(); },
    state: function () {
      return { open: T.open, conversation_id: T.conv, choice: T.choice, pending: T.pending, error: T.error, done: T.done,
        agents: T.agents, handover: T.handover.map(function (h) { return h.id; }) };
    }
  };
})();
