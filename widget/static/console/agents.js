/* Livedesk console: the agents section (owners and admins: list, create, edit role,
 * sites, max chats and shifts, force logout, delete) and "My settings" (every agent:
 * name, idle and warning minutes, password, own shifts). */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el, $ = LD.$;
  var ROLES = { owner: 'Owner', admin: 'Admin', agent: 'Agent' };

  function roleOptions(cur) {
    var me = LD.me() || {};
    return Object.keys(ROLES).filter(function (r) { return r !== 'owner' || me.role === 'owner' || cur === 'owner'; })
      .map(function (r) { return el('option', { value: r, text: ROLES[r], selected: r === cur }); });
  }
  // Checkboxes for an agent's sites; an empty choice means all sites.
  function sitesChooser(chosen, path, name) {
    var box = el('fieldset', { class: 'sites-choice', 'data-path': path, 'data-testid': 'agent-sites' }, [
      el('legend', { text: 'Sites (none ticked: all sites)' })
    ]);
    LD.siteList.forEach(function (s) {
      box.appendChild(el('label', { class: 'check' }, [
        el('input', { type: 'checkbox', name: name, value: s.id, checked: chosen.indexOf(s.id) >= 0, 'data-testid': 'agent-site' }), ' ' + s.name
      ]));
    });
    box.value = function () {
      return Array.prototype.filter.call(box.querySelectorAll('input'), function (i) { return i.checked; }).map(function (i) { return i.value; });
    };
    return box;
  }
  function siteNames(ids) {
    if (!ids || !ids.length) return 'All sites';
    return ids.map(function (id) { var s = LD.site(id); return s ? s.name : id; }).join(', ');
  }
  function row(label, input, hint) {
    return el('div', { class: 'row' }, [el('label', { for: input.id, text: label }), input, hint ? el('span', { class: 'muted', text: hint }) : null]);
  }
  function numInput(id, path, value, min, max) {
    return el('input', { id: id, type: 'number', min: min, max: max, step: 1, 'data-path': path, value: value == null ? '' : String(value) });
  }
  function intOf(input) { return input.value === '' ? null : Number(input.value); }

  // ---- agents ----
  (function () {
    var v = { shown: false }, S = { agents: [], editing: null, error: null, done: 0, armed: null, armTimer: null };
    var view = $('view-agents'), table, errBox, note, createForm, editBox;
    function canManage(a) { var me = LD.me() || {}; return a.role !== 'owner' || me.role === 'owner'; }
    var loadSeq = 0;
    function load() {
      var n = ++loadSeq; // only the latest answer counts
      return Promise.all([LD.loadSites(), LD.api('GET', '/agents')]).then(function (rs) {
        var r = rs[1];
        if (n !== loadSeq || !table) return;
        if (!r.ok) { errBox.textContent = r.error.message; errBox.hidden = false; return; }
        S.agents = (r.body.agents || []).slice().sort(function (a, b) { return (a.name || a.email).localeCompare(b.name || b.email); });
        renderTable();
        renderCreate();
        if (S.editing) edit(S.editing);
      });
    }
    function act(method, path, body, okText) {
      errBox.hidden = true;
      return LD.api(method, path, body).then(function (r) {
        if (!r.ok) { errBox.textContent = r.error.message; errBox.hidden = false; return r; }
        S.done++;
        if (okText) LD.flash(note, okText);
        return r;
      });
    }
    function renderTable() {
      var body = el('tbody');
      S.agents.forEach(function (a) {
        var me = LD.me() || {}, managed = canManage(a), del;
        // A second click within 4 s confirms. Which row is armed lives in S, not on
        // the button, so a refresh of the table meanwhile keeps it armed.
        del = el('button', { type: 'button', class: 'danger', 'data-testid': 'agent-delete', text: S.armed === a.id ? 'Really delete?' : 'Delete',
          disabled: !managed || a.id === me.id,
          onclick: function () {
            if (S.armed !== a.id) {
              S.armed = a.id; del.textContent = 'Really delete?';
              clearTimeout(S.armTimer);
              S.armTimer = setTimeout(function () {
                if (S.armed !== a.id) return;
                S.armed = null;
                var b = view.querySelector('[data-testid=agent-row][data-agent-id="' + a.id + '"] [data-testid=agent-delete]');
                if (b) b.textContent = 'Delete';
              }, 4000);
              return;
            }
            S.armed = null; clearTimeout(S.armTimer);
            act('DELETE', '/agents/' + encodeURIComponent(a.id), undefined, 'Deleted ' + (a.name || a.email)).then(function (r) {
              if (r.ok) { if (S.editing === a.id) S.editing = null; load(); }
            });
          } });
        body.appendChild(el('tr', { 'data-testid': 'agent-row', 'data-agent-id': a.id, class: S.editing === a.id ? 'selected' : '' }, [
          el('td', {}, [el('strong', { text: a.name }), a.id === me.id ? el('span', { class: 'muted', text: ' (you)' }) : null]),
          el('td', {}, [el('a', { href: 'mailto:' + a.email, text: a.email })]),
          el('td', { 'data-testid': 'agent-role', text: ROLES[a.role] || a.role }),
          el('td', { text: siteNames(a.sites) }),
          el('td', { class: 'num', text: String(a.max_chats) }),
          el('td', { text: a.schedule ? (a.schedule.enabled ? 'Own hours (' + a.schedule.timezone + ')' : 'Own: always') : 'Site\'s hours' }),
          el('td', { class: 'actions' }, [
            el('button', { type: 'button', 'data-testid': 'agent-edit-open', text: 'Edit', disabled: !managed, onclick: function () { edit(a.id); } }),
            el('button', { type: 'button', 'data-testid': 'agent-logout', text: 'Force logout', disabled: !managed,
              onclick: function () { act('POST', '/agents/' + encodeURIComponent(a.id) + '/logout', undefined, (a.name || a.email) + ' was logged out everywhere'); } }),
            del
          ])
        ]));
      });
      table.textContent = '';
      table.append(el('thead', {}, [el('tr', {}, ['Name', 'E-mail', 'Role', 'Sites', 'Max chats', 'Shifts', 'Actions'].map(function (h) {
        return el('th', { scope: 'col', text: h });
      }))]), body);
    }
    function renderCreate() {
      createForm.textContent = '';
      var sites = sitesChooser([], 'sites', 'new-sites');
      var f = {
        email: el('input', { id: 'na-email', type: 'email', 'data-path': 'email', 'data-testid': 'agent-new-email', required: true, autocomplete: 'off' }),
        name: el('input', { id: 'na-name', 'data-path': 'name', 'data-testid': 'agent-new-name', required: true, autocomplete: 'off' }),
        password: el('input', { id: 'na-password', type: 'password', 'data-path': 'password', 'data-testid': 'agent-new-password', required: true, autocomplete: 'new-password', minlength: 8 }),
        role: el('select', { id: 'na-role', 'data-path': 'role', 'data-testid': 'agent-new-role' }, roleOptions('agent')),
        max: numInput('na-max', 'max_chats', 5, 1, 100)
      };
      var err = el('p', { class: 'error', role: 'alert', hidden: true });
      createForm.append(el('h3', { text: 'Add an agent' }),
        row('E-mail', f.email), row('Name', f.name), row('Password', f.password, 'at least 8 characters'),
        row('Role', f.role), sites, row('Max chats', f.max, 'open chats at once'),
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'agent-new-submit', text: 'Create agent' })]), err);
      createForm.onsubmit = function (e) {
        e.preventDefault();
        LD.clearErrors(createForm); err.hidden = true;
        LD.api('POST', '/agents', { email: f.email.value.trim(), name: f.name.value.trim(), password: f.password.value,
          role: f.role.value, sites: sites.value(), max_chats: intOf(f.max) }).then(function (r) {
          if (!r.ok) { LD.showApiError(createForm, err, r, 'Not created'); return; }
          S.done++;
          LD.flash(note, 'Created ' + r.body.email);
          load();
        });
      };
    }
    // The edit panel: role, sites, max chats, and the agent's own shifts.
    function edit(id) {
      var a = S.agents.find(function (x) { return x.id === id; });
      S.editing = a ? id : null;
      editBox.textContent = '';
      editBox.hidden = !a;
      table.querySelectorAll('[data-testid=agent-row]').forEach(function (r) { r.classList.toggle('selected', r.getAttribute('data-agent-id') === S.editing); });
      if (!a) return;
      var role = el('select', { id: 'ea-role', 'data-path': 'role', 'data-testid': 'agent-role-select' }, roleOptions(a.role));
      var max = numInput('ea-max', 'max_chats', a.max_chats, 1, 100);
      var sites = sitesChooser(a.sites || [], 'sites', 'edit-sites');
      var err = el('p', { class: 'error', role: 'alert', hidden: true }), schedErr = el('p', { class: 'error', role: 'alert', hidden: true });
      var form = el('form', { novalidate: true, 'data-testid': 'agent-edit-form' }, [
        row('Role', role), sites, row('Max chats', max),
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'agent-save', text: 'Save agent' })]), err
      ]);
      form.onsubmit = function (e) {
        e.preventDefault();
        LD.clearErrors(form); err.hidden = true;
        LD.api('PATCH', '/agents/' + encodeURIComponent(a.id), { role: role.value, sites: sites.value(), max_chats: intOf(max) }).then(function (r) {
          if (!r.ok) { LD.showApiError(form, err, r, 'Not saved'); return; }
          S.done++;
          LD.flash(note, 'Saved ' + (a.name || a.email));
          LD.emit('self', r.body);
          load();
        });
      };
      var editor = LD.ScheduleEditor({ follow: true });
      editor.set(a.schedule);
      var sched = el('form', { novalidate: true, 'data-testid': 'agent-schedule-form' }, [
        el('h4', { text: 'Shifts' }),
        el('p', { class: 'muted', text: 'Routed chats need both the site open and the agent on shift.' }), editor.root,
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'agent-schedule-save', text: 'Save shifts' })]), schedErr
      ]);
      sched.onsubmit = function (e) {
        e.preventDefault();
        editor.clearErrors(); schedErr.hidden = true;
        LD.api('PUT', '/agents/' + encodeURIComponent(a.id) + '/schedule', editor.get()).then(function (r) {
          if (!r.ok) { editor.showSaveError(schedErr, r, 'Not saved'); return; }
          S.done++;
          LD.flash(note, 'Shifts saved for ' + (a.name || a.email));
          LD.emit('self', r.body);
          load();
        });
      };
      editBox.append(el('div', { class: 'view-head' }, [
        el('h3', { text: 'Edit ' + (a.name || a.email) }),
        el('button', { type: 'button', text: 'Close', onclick: function () { edit(null); } })
      ]), form, sched);
    }
    function build() {
      errBox = el('p', { class: 'error', 'data-testid': 'agents-error', role: 'alert', hidden: true });
      note = el('span', { class: 'ok', role: 'status', 'data-testid': 'agents-note', hidden: true });
      table = el('table', { class: 'grid', 'data-testid': 'agents-table' });
      createForm = el('form', { class: 'card', 'data-testid': 'agent-create', novalidate: true });
      editBox = el('section', { class: 'card', 'data-testid': 'agent-edit', hidden: true, 'aria-label': 'Edit agent' });
      view.append(el('div', { class: 'view-head' }, [el('h2', { text: 'Agents' }), note]), errBox,
        el('div', { class: 'card scroll' }, [table]), editBox, createForm);
    }
    v.show = function () { if (!table) build(); load(); };
    v.reset = function () { view.textContent = ''; table = null; S = { agents: [], editing: null, error: null, done: 0, armed: null, armTimer: null }; };
    v.state = function () {
      return { agents: S.agents.map(function (a) { return { id: a.id, email: a.email, role: a.role, sites: a.sites, max_chats: a.max_chats }; }),
        editing: S.editing, done: S.done };
    };
    LD.views.agents = v;
  })();

  // ---- my settings ----
  (function () {
    var v = { shown: false }, S = { saves: 0, error: null };
    var view = $('view-me');
    function render(a) {
      view.textContent = '';
      var note = el('span', { class: 'ok', role: 'status', 'data-testid': 'me-saved', hidden: true });
      var name = el('input', { id: 'me-name', 'data-path': 'name', 'data-testid': 'me-name', value: a.name, required: true });
      var idle = numInput('me-idle', 'idle_minutes', a.idle_minutes, 0, 1440);
      var warn = numInput('me-warn', 'shift_warning_minutes', a.shift_warning_minutes, 0, 1440);
      idle.setAttribute('data-testid', 'me-idle'); warn.setAttribute('data-testid', 'me-warn');
      var err = el('p', { class: 'error', role: 'alert', 'data-testid': 'me-error', hidden: true });
      var form = el('form', { class: 'card', novalidate: true, 'data-testid': 'me-form' }, [
        el('h3', { text: a.email }),
        row('Name', name, 'what visitors see'),
        row('Away when idle after', idle, 'minutes without activity (0: never)'),
        row('Warn before my shift ends', warn, 'minutes'),
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'me-save', text: 'Save' }), note]), err
      ]);
      form.onsubmit = function (e) {
        e.preventDefault();
        save(form, err, note, { name: name.value.trim(), idle_minutes: intOf(idle), shift_warning_minutes: intOf(warn) }, 'Saved');
      };
      var cur = el('input', { id: 'me-cur', type: 'password', 'data-path': 'current_password', autocomplete: 'current-password' });
      var pw = el('input', { id: 'me-pw', type: 'password', 'data-path': 'password', autocomplete: 'new-password', minlength: 8 });
      var pErr = el('p', { class: 'error', role: 'alert', hidden: true }), pNote = el('span', { class: 'ok', role: 'status', hidden: true });
      var pform = el('form', { class: 'card', novalidate: true }, [
        el('h3', { text: 'Password' }), row('Current password', cur), row('New password', pw, 'at least 8 characters'),
        el('div', { class: 'actions' }, [el('button', { type: 'submit', text: 'Change password' }), pNote]), pErr
      ]);
      pform.onsubmit = function (e) {
        e.preventDefault();
        save(pform, pErr, pNote, { current_password: cur.value, password: pw.value }, 'Password changed').then(function (ok) { if (ok) pform.reset(); });
      };
      var editor = LD.ScheduleEditor({ follow: true });
      editor.set(a.schedule);
      var sErr = el('p', { class: 'error', role: 'alert', 'data-testid': 'me-schedule-error', hidden: true });
      var sNote = el('span', { class: 'ok', role: 'status', hidden: true });
      var sform = el('form', { class: 'card', novalidate: true, 'data-testid': 'me-schedule' }, [
        el('h3', { text: 'My shifts' }),
        el('p', { class: 'muted', text: 'Chats reach you when the site is open and you are on shift.' }), editor.root,
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'me-schedule-save', text: 'Save shifts' }), sNote]), sErr
      ]);
      sform.onsubmit = function (e) {
        e.preventDefault();
        editor.clearErrors(); sErr.hidden = true;
        LD.api('PUT', '/agents/' + encodeURIComponent(a.id) + '/schedule', editor.get()).then(function (r) {
          if (!r.ok) { S.error = r.error; editor.showSaveError(sErr, r, 'Not saved'); return; }
          S.saves++;
          LD.emit('self', r.body);
          LD.flash(sNote, 'Saved');
        });
      };
      view.append(el('div', { class: 'view-head' }, [el('h2', { text: 'My settings' })]),
        el('div', { class: 'cols' }, [el('div', {}, [form, pform]), sform]));
    }
    function save(form, err, note, body, okText) {
      var a = LD.me();
      LD.clearErrors(form); err.hidden = true; S.error = null;
      return LD.api('PATCH', '/agents/' + encodeURIComponent(a.id), body).then(function (r) {
        if (!r.ok) { S.error = r.error; LD.showApiError(form, err, r, 'Not saved'); return false; }
        S.saves++;
        LD.emit('self', r.body);
        LD.flash(note, okText);
        return true;
      });
    }
    v.show = function () {
      var a = LD.me();
      if (!a) return;
      LD.api('GET', '/agents/' + encodeURIComponent(a.id)).then(function (r) { if (r.ok) { LD.emit('self', r.body); render(r.body); } });
    };
    v.reset = function () { view.textContent = ''; S = { saves: 0, error: null }; };
    v.state = function () { return { saves: S.saves, error: S.error }; };
    LD.views.me = v;
  })();
})();
