/* Livedesk console: the owners' and admins' department page (docs/protocol.md#department-api).
 * Per site: its departments in position order with their live status, created,
 * renamed, reordered and deleted here (a delete refused with 409 while chats are in
 * flight shows the server's message); each one's agents (of those serving the site),
 * notify e-mail addresses, and hours (the hours editor of hours.js, or the site's). */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el, $ = LD.$;
  var POSITION_STEP = 10;
  (function () {
    var v = { shown: false };
    function fresh() { return { list: [], agents: [], editing: null, error: null, done: 0, armed: null, armTimer: null }; }
    var S = fresh();
    var view = $('view-departments'), picker, listBox, errBox, note, createForm, editBox, site = null;

    function path(id) { return '/departments/' + encodeURIComponent(id); }
    function fail(r, what, root) {
      S.error = r.error;
      LD.showApiError(root || view, errBox, r, what);
      if (!r.error.field) errBox.scrollIntoView({ block: 'nearest' });
      renderList(); // a refused delete: its button reads Delete again
      return r;
    }
    // act runs one change, then shows its error (at its field in root) or its note and
    // reloads the list.
    function act(method, p, body, done, what, root) {
      LD.clearErrors(view); errBox.hidden = true; S.error = null;
      return LD.api(method, p, body).then(function (r) {
        if (!r.ok) return fail(r, what, root);
        S.done++;
        LD.flash(note, done);
        return load().then(function () { return r; });
      });
    }
    function load() {
      site = LD.siteId();
      if (!site) { listBox.textContent = 'No site yet: create one in Site settings.'; return Promise.resolve(); }
      var id = site;
      return Promise.all([LD.api('GET', '/sites/' + encodeURIComponent(id) + '/departments'), LD.api('GET', '/agents')]).then(function (rs) {
        if (id !== site) return;
        if (!rs[0].ok) return fail(rs[0], 'Cannot list the departments');
        S.list = rs[0].body.departments || [];
        // The agents that serve the site: an agent without sites serves all of them.
        S.agents = rs[1].ok ? (rs[1].body.agents || []).filter(function (a) { return !a.sites || !a.sites.length || a.sites.indexOf(id) >= 0; }) : [];
        if (S.editing && !S.list.some(function (d) { return d.id === S.editing; })) S.editing = null;
        renderList();
        renderEdit();
      });
    }

    // ---- the list ----
    function liveStatus(d) {
      var live = LD.siteDepartments(site).filter(function (x) { return x.id === d.id; })[0];
      return live ? live.status : null;
    }
    function renderList() {
      listBox.textContent = '';
      if (!S.list.length) listBox.appendChild(el('p', { class: 'muted', text: 'No departments: the site takes its chats as one desk.' }));
      S.list.forEach(function (d, i) {
        var st = liveStatus(d), del;
        del = el('button', { type: 'button', class: 'danger', 'data-testid': 'dept-delete', text: S.armed === d.id ? 'Really delete?' : 'Delete',
          onclick: function () {
            if (S.armed !== d.id) { // a second click within 4 s confirms
              S.armed = d.id; del.textContent = 'Really delete?';
              clearTimeout(S.armTimer);
              S.armTimer = setTimeout(function () { if (S.armed === d.id) { S.armed = null; renderList(); } }, 4000);
              return;
            }
            S.armed = null; clearTimeout(S.armTimer);
            act('DELETE', path(d.id), undefined, 'Deleted ' + d.name, 'Not deleted');
          } });
        listBox.appendChild(el('div', { class: 'dept-row', 'data-testid': 'dept-row', 'data-department-id': d.id }, [
          el('span', { class: 'name', 'data-testid': 'dept-row-name', text: (i + 1) + '. ' + d.name }),
          el('span', { class: 'status-pill' + (st && st.online ? ' on' : ''), text: st ? LD.statusText(st) : '' }),
          el('span', { class: 'muted', text: d.agents.length + (d.agents.length === 1 ? ' agent' : ' agents') + ' · ' +
            (d.schedule ? 'own hours' : 'the site\'s hours') }),
          el('button', { type: 'button', class: 'icon', 'data-testid': 'dept-up', 'aria-label': 'Move ' + d.name + ' up', text: '↑',
            disabled: i === 0, onclick: function () { move(i, -1); } }),
          el('button', { type: 'button', class: 'icon', 'data-testid': 'dept-down', 'aria-label': 'Move ' + d.name + ' down', text: '↓',
            disabled: i === S.list.length - 1, onclick: function () { move(i, 1); } }),
          el('button', { type: 'button', 'data-testid': 'dept-edit-open', text: 'Edit', onclick: function () { S.editing = d.id; renderEdit(); } }),
          del
        ]));
      });
    }
    // move swaps a department with its neighbour: the positions are renumbered in
    // steps, and only the departments whose position changes are written.
    function move(i, delta) {
      var order = S.list.slice(), d = order.splice(i, 1)[0];
      order.splice(i + delta, 0, d);
      var todo = order.map(function (x, k) { return { d: x, pos: (k + 1) * POSITION_STEP }; })
        .filter(function (x) { return x.d.position !== x.pos; });
      var run = Promise.resolve({ ok: true });
      todo.forEach(function (x) {
        run = run.then(function (r) { return r.ok ? LD.api('PATCH', path(x.d.id), { position: x.pos }) : r; });
      });
      return run.then(function (r) {
        if (!r.ok) fail(r, 'Not reordered');
        else { S.done++; LD.flash(note, 'Order saved'); }
        return load();
      });
    }

    // ---- one department: name, agents, addresses, hours ----
    function emailsOf(text) { return text.split(/[\s,;]+/).filter(Boolean); }
    function renderEdit() {
      editBox.textContent = '';
      var d = S.list.filter(function (x) { return x.id === S.editing; })[0];
      editBox.hidden = !d;
      if (!d) return;
      var name = el('input', { id: 'dept-name', 'data-testid': 'dept-name', 'data-path': 'name', value: d.name, required: true, maxlength: 100 });
      var agents = el('fieldset', { 'data-path': 'agents', 'data-testid': 'dept-agents' }, [
        el('legend', { text: 'Agents who answer for it' }),
        S.agents.length ? null : el('p', { class: 'muted', text: 'No agent serves this site yet.' }),
        el('div', { class: 'agent-checks' }, S.agents.map(function (a) {
          return el('label', { class: 'check' }, [el('input', { type: 'checkbox', 'data-testid': 'dept-agent', value: a.id,
            checked: d.agents.indexOf(a.id) >= 0 }), ' ' + (a.name || a.email)]);
        }))
      ]);
      var emails = el('textarea', { id: 'dept-emails', 'data-testid': 'dept-emails', 'data-path': 'notify.emails', rows: 2,
        value: (d.notify && d.notify.emails || []).join('\n'), placeholder: 'sales@example.com' });
      var form = el('form', { novalidate: true, 'data-testid': 'dept-edit-form', onsubmit: function (e) {
        e.preventDefault();
        var ids = [].map.call(agents.querySelectorAll('[data-testid=dept-agent]:checked'), function (x) { return x.value; });
        act('PATCH', path(d.id), { name: name.value, agents: ids, notify: { emails: emailsOf(emails.value) } }, 'Saved ' + name.value.trim(), 'Not saved', form);
      } }, [
        el('div', { class: 'row' }, [el('label', { for: 'dept-name', text: 'Name' }), name]),
        agents,
        el('div', { class: 'row' }, [el('label', { for: 'dept-emails', text: 'Offline messages also to' }), emails,
          el('span', { class: 'muted', text: 'one address a line, besides the site\'s' })]),
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'dept-save', text: 'Save department' })])
      ]);
      var editor = LD.ScheduleEditor({ follow: true, opening: true });
      editor.set(d.schedule);
      var schedErr = el('p', { class: 'error', role: 'alert', 'data-testid': 'dept-schedule-error', hidden: true });
      // The next 14 days of its saved hours that none of its agents is rostered for.
      var coverage = LD.CoverageBox();
      LD.api('GET', path(d.id) + '/hours').then(function (r) { if (r.ok && S.editing === d.id) coverage.show(site, r.body, false, d.id); });
      var sched = el('form', { novalidate: true, 'data-testid': 'dept-schedule-form', onsubmit: function (e) {
        e.preventDefault();
        editor.clearErrors(); schedErr.hidden = true; S.error = null;
        LD.api('PUT', path(d.id) + '/schedule', editor.get()).then(function (r) {
          if (!r.ok) { S.error = r.error; editor.showSaveError(schedErr, r, 'Not saved'); return; }
          S.done++;
          LD.flash(note, 'Hours saved for ' + d.name);
          load();
        });
      } }, [
        el('h4', { text: 'Hours' }),
        el('p', { class: 'muted', text: 'Its own hours replace the site\'s for this department.' }), editor.root,
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'dept-schedule-save', text: 'Save hours' })]),
        schedErr, coverage.root
      ]);
      editBox.append(el('div', { class: 'view-head' }, [
        el('h3', { text: 'Edit ' + d.name }),
        el('button', { type: 'button', 'data-testid': 'dept-edit-close', text: 'Close', onclick: function () { S.editing = null; renderEdit(); } })
      ]), form, sched);
    }

    function build() {
      picker = LD.sitePicker(function () { S.editing = null; load(); });
      errBox = el('p', { class: 'error', 'data-testid': 'departments-error', role: 'alert', hidden: true });
      note = el('span', { class: 'ok', role: 'status', 'data-testid': 'departments-note', hidden: true });
      listBox = el('section', { class: 'card', 'data-testid': 'departments-list', 'aria-label': 'Departments' });
      var newName = el('input', { id: 'dept-new-name', 'data-testid': 'dept-new-name', 'data-path': 'name', required: true, maxlength: 100 });
      createForm = el('form', { class: 'card inline', 'data-testid': 'dept-create', novalidate: true, onsubmit: function (e) {
        e.preventDefault();
        act('POST', '/sites/' + encodeURIComponent(site) + '/departments', { name: newName.value }, 'Created ' + newName.value.trim(), 'Not created', createForm)
          .then(function (r) { if (r.ok) { newName.value = ''; S.editing = r.body.id; renderEdit(); } });
      } }, [el('label', { for: 'dept-new-name', text: 'New department' }), newName,
        el('button', { type: 'submit', class: 'primary', 'data-testid': 'dept-new-submit', text: 'Create' })]);
      editBox = el('section', { class: 'card', 'data-testid': 'dept-edit', hidden: true, 'aria-label': 'Edit department' });
      view.append(el('div', { class: 'view-head' }, [el('h2', { text: 'Departments' }), picker, note]), errBox, listBox, createForm, editBox);
    }
    LD.on('sites', function () { if (listBox && !view.hidden) renderList(); }); // live statuses
    v.show = function () {
      if (!listBox) build();
      LD.loadSites().then(function (r) {
        if (!r.ok) { errBox.textContent = r.error.message; errBox.hidden = false; return; }
        picker.refresh();
        load();
      });
    };
    v.reset = function () { view.textContent = ''; listBox = null; site = null; clearTimeout(S.armTimer); S = fresh(); };
    v.state = function () {
      return { departments: S.list.map(function (d) { return { id: d.id, name: d.name, position: d.position, agents: d.agents, schedule: d.schedule }; }),
        editing: S.editing, error: S.error, done: S.done };
    };
    LD.views.departments = v;
  })();
})();
