/* Livedesk console: navigation between the sections, the site picker, and the owners'
 * and admins' site views: opening hours (editor, mode switch, preview) and site
 * settings (name, origins, offline form, timings, new site). */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el, $ = LD.$;
  var SITE_KEY = 'livedesk:console:site';
  LD.views = {};

  LD.isManager = function () {
    var a = LD.me && LD.me();
    return !!a && (a.role === 'owner' || a.role === 'admin');
  };

  // ---- navigation: #chats, #hours, #settings, #agents, #inbox, #me ----
  var current = 'chats';
  function allowed(v) {
    var link = document.querySelector('.nav [data-view="' + v + '"]');
    return !!link && (!link.hasAttribute('data-manager') || LD.isManager());
  }
  function route() {
    if ($('app-view').hidden) return;
    var v = location.hash.replace(/^#/, '') || 'chats';
    document.querySelectorAll('.nav [data-manager]').forEach(function (a) { a.hidden = !LD.isManager(); });
    if (!allowed(v)) v = 'chats';
    var was = current;
    current = v;
    document.querySelectorAll('[data-panel]').forEach(function (p) { p.hidden = p.getAttribute('data-panel') !== v; });
    document.querySelectorAll('.nav a').forEach(function (a) {
      if (a.getAttribute('data-view') === v) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    if (LD.views[v] && (was !== v || !LD.views[v].shown)) { LD.views[v].shown = true; LD.views[v].show(); }
  }
  window.addEventListener('hashchange', route);
  LD.on('agent', function () { setTimeout(route, 0); });
  LD.on('logout', function () {
    for (var k in LD.views) { LD.views[k].shown = false; if (LD.views[k].reset) LD.views[k].reset(); }
    LD.siteList = [];
    current = 'chats';
  });
  LD.view = function () { return current; };
  LD.viewState = function () {
    var out = { site_id: LD.siteId() };
    for (var k in LD.views) if (LD.views[k].state) out[k] = LD.views[k].state();
    return out;
  };

  // ---- sites (full objects from the API) and the shared site picker ----
  LD.siteList = [];
  LD.siteId = function () {
    var id = LD.load(SITE_KEY);
    if (LD.siteList.some(function (s) { return s.id === id; })) return id;
    return LD.siteList.length ? LD.siteList[0].id : null;
  };
  LD.site = function (id) {
    id = id || LD.siteId();
    for (var i = 0; i < LD.siteList.length; i++) if (LD.siteList[i].id === id) return LD.siteList[i];
    return null;
  };
  LD.putSite = function (s) {
    var i = LD.siteList.findIndex(function (x) { return x.id === s.id; });
    if (i < 0) LD.siteList.push(s); else LD.siteList[i] = s;
    LD.emit('site', s);
  };
  LD.loadSites = function () {
    return LD.api('GET', '/sites').then(function (r) {
      if (r.ok) LD.siteList = (r.body.sites || []).slice().sort(function (a, b) { return a.name.localeCompare(b.name); });
      return r;
    });
  };
  // A <select> of the sites; onchange(id) after the shared choice changed.
  LD.sitePicker = function (onchange) {
    var id = 'sp' + LD.uid().slice(0, 8);
    var sel = el('select', { id: id, 'data-testid': 'site-select', onchange: function () { LD.store(SITE_KEY, this.value); onchange(this.value); } });
    var box = el('span', { class: 'field' }, [el('label', { for: id, text: 'Site' }), sel]);
    box.refresh = function () {
      var cur = LD.siteId();
      sel.textContent = '';
      LD.siteList.forEach(function (s) { sel.appendChild(el('option', { value: s.id, text: s.name, selected: s.id === cur })); });
    };
    return box;
  };
  function statusText(st) {
    if (!st) return '';
    var r = { paused: 'paused', outside_hours: 'outside hours', no_agents: 'no agent available', open: 'open' }[st.reason] || st.reason;
    return (st.online ? 'Online' : 'Offline') + (st.online ? '' : ' (' + r + ')');
  }

  // ---- opening hours: editor, mode, preview ----
  // The preview always shows what the editor holds, saved or not: every edit asks
  // POST /sites/{id}/hours/preview (debounced) over the range the user picked, and the
  // intervals the server merges are named in the editor (docs/protocol.md#hours-preview).
  // Beside it, the open hours of that range no one is rostered for (coverage.js).
  var PREVIEW_DELAY = 250, MAX_RANGE_DAYS = 366;
  (function () {
    var v = { shown: false };
    function fresh() {
      return { saving: false, saves: 0, error: null, errors: [], preview: [], dirty: false, previews: 0, previewDraft: false,
        previewRange: null, previewErrors: [], merges: [], coverage: null };
    }
    var S = fresh();
    var view = $('view-hours'), picker, editor, status, mode, save, saveNote, errBox, preview, dirtyNote;
    var rangeBox, fromIn, toIn, previewNote, previewErr, coverage;
    var editing = null; // the site whose hours the editor holds
    var range = null; // {from, to} the user picked; null: the server's default (14 days from today)
    function build() {
      picker = LD.sitePicker(function (id) {
        if (S.dirty && !window.confirm('Drop the unsaved changes to the hours of ' + (LD.site(editing) || {}).name + '?')) {
          LD.store(SITE_KEY, editing);
          picker.refresh();
          return;
        }
        load(id);
      });
      status = el('span', { class: 'status-pill', 'data-testid': 'site-live-status' });
      mode = el('select', { id: 'mode-select', 'data-testid': 'mode-select', onchange: setMode }, [
        el('option', { value: 'auto', text: 'Automatic: follow the hours' }),
        el('option', { value: 'offline', text: 'Offline: chat paused' })
      ]);
      editor = LD.ScheduleEditor({ onchange: function () { S.dirty = editor.dirty(); dirtyNote.hidden = !S.dirty; schedulePreview(); } });
      save = el('button', { type: 'submit', class: 'primary', 'data-testid': 'hours-save', text: 'Save hours' });
      saveNote = el('span', { class: 'ok', 'data-testid': 'hours-saved', role: 'status', hidden: true });
      dirtyNote = el('span', { class: 'muted', text: 'Unsaved changes', hidden: true });
      errBox = el('div', { class: 'error', 'data-testid': 'hours-error', role: 'alert', hidden: true });
      preview = el('div', { 'data-testid': 'hours-preview', 'aria-live': 'polite' });
      previewNote = el('p', { class: 'muted small', 'data-testid': 'preview-source' });
      previewErr = el('div', { class: 'error', 'data-testid': 'preview-error', hidden: true });
      coverage = LD.CoverageBox();
      function rangeInput(name, label) {
        return el('span', { class: 'field' }, [el('label', { for: 'preview-' + name, text: label }),
          el('input', { type: 'date', id: 'preview-' + name, 'data-testid': 'preview-' + name, 'data-path': name, required: true,
            onchange: pickRange })]);
      }
      rangeBox = el('div', { class: 'preview-range', role: 'group', 'aria-label': 'Preview dates (up to ' + MAX_RANGE_DAYS + ' days)' }, [
        rangeInput('from', 'From'), rangeInput('to', 'to'),
        el('button', { type: 'button', class: 'link', 'data-testid': 'preview-reset', text: 'Next 14 days',
          onclick: function () { range = null; refreshPreview(); } })
      ]);
      fromIn = rangeBox.querySelector('#preview-from');
      toIn = rangeBox.querySelector('#preview-to');
      view.appendChild(el('div', { class: 'view-head' }, [
        el('h2', { text: 'Opening hours' }), picker, status,
        el('span', { class: 'field' }, [el('label', { for: 'mode-select', text: 'Chat' }), mode])
      ]));
      view.appendChild(el('div', { class: 'cols' }, [
        el('form', { class: 'card', novalidate: true, onsubmit: function (e) { e.preventDefault(); submit(); } }, [
          el('h3', { text: 'Weekly hours' }), editor.root,
          el('div', { class: 'actions' }, [save,
            el('button', { type: 'button', text: 'Revert', onclick: function () { load(LD.siteId()); } }), dirtyNote, saveNote]),
          errBox
        ]),
        el('section', { class: 'card', 'aria-label': 'Preview', 'data-testid': 'preview-card' }, [el('h3', { text: 'Preview' }),
          rangeBox, previewNote, previewErr, coverage.root, preview])
      ]));
    }
    function showStatus() {
      if (!status) return;
      var st = LD.siteStatus(LD.siteId());
      status.textContent = statusText(st);
      status.className = 'status-pill' + (st && st.online ? ' on' : '');
    }
    LD.on('sites', showStatus);
    function load(id) {
      var s = LD.site(id);
      errBox.hidden = true;
      S.errors = [];
      editing = s ? s.id : null;
      if (!s) { preview.textContent = 'No site yet: create one in Site settings.'; return; }
      editor.set(s.schedule);
      S.dirty = false; dirtyNote.hidden = true;
      mode.value = s.mode;
      showStatus();
      refreshPreview();
    }
    function pickRange() {
      LD.clearErrors(rangeBox);
      if (!fromIn.value || !toIn.value) return;
      range = { from: fromIn.value, to: toIn.value };
      refreshPreview();
    }
    var previewTimer = null, previewSeq = 0;
    function schedulePreview() {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, PREVIEW_DELAY);
    }
    // Asks the server what the editor's schedule gives over the range; only the latest
    // answer counts.
    function refreshPreview() {
      clearTimeout(previewTimer);
      var id = editing, body = editor.get(), draft = S.dirty, n = ++previewSeq;
      if (!id) return Promise.resolve();
      var q = range ? '?from=' + encodeURIComponent(range.from) + '&to=' + encodeURIComponent(range.to) : '';
      return LD.api('POST', '/sites/' + encodeURIComponent(id) + '/hours/preview' + q, body).then(function (r) {
        if (n !== previewSeq || id !== editing) return;
        LD.clearErrors(rangeBox);
        previewErr.hidden = true;
        previewErr.textContent = '';
        if (!r.ok) {
          var e = r.error || {};
          S.previewErrors = e.errors || [{ path: e.field || '', message: e.message }];
          if (!e.errors && (e.field === 'from' || e.field === 'to')) { // the range, not the schedule
            LD.fieldError(rangeBox, e.field, e.message);
            previewErr.textContent = 'Preview dates: ' + e.message + ' (up to ' + MAX_RANGE_DAYS + ' days).';
          } else {
            previewErr.appendChild(LD.scheduleProblemList('The preview shows once ' + (S.previewErrors.length === 1 ? 'this is' : 'these are') + ' fixed:', S.previewErrors, body));
            editor.showMerges([]);
            S.merges = [];
          }
          previewErr.hidden = false;
          preview.hidden = true;
          coverage.clear();
          S.coverage = null;
          return;
        }
        S.previewErrors = [];
        preview.hidden = false;
        fromIn.value = r.body.from;
        toIn.value = r.body.to;
        S.previewRange = { from: r.body.from, to: r.body.to };
        S.merges = r.body.merges || [];
        S.previewDraft = draft;
        editor.showMerges(S.merges);
        previewNote.textContent = draft ? 'Showing your unsaved changes: save to make them live.' : 'Showing the saved hours.';
        previewNote.classList.toggle('draft-note', draft);
        S.preview = LD.renderPreview(preview, r.body, body.enabled, {
          draft: draft, special: (body.exceptions || []).map(function (e) { return e.date; })
        });
        S.previews++;
        return coverage.show(id, r.body, draft).then(function (gaps) { if (gaps !== undefined) S.coverage = gaps; });
      });
    }
    function submit() {
      var id = LD.siteId(), body = editor.get();
      editor.clearErrors(); errBox.hidden = true; errBox.textContent = ''; S.error = null; S.errors = [];
      save.disabled = true; S.saving = true;
      LD.api('PUT', '/sites/' + encodeURIComponent(id) + '/schedule', body).then(function (r) {
        save.disabled = false; S.saving = false;
        if (!r.ok) {
          S.error = r.error;
          S.errors = r.error.errors || [];
          editor.showSaveError(errBox, r, 'Not saved');
          return;
        }
        LD.putSite(r.body);
        S.saves++;
        load(id);
        LD.flash(saveNote, 'Saved');
      });
    }
    function setMode() {
      var id = LD.siteId(), want = mode.value;
      errBox.hidden = true;
      LD.api('PUT', '/sites/' + encodeURIComponent(id) + '/mode', { mode: want }).then(function (r) {
        if (!r.ok) { mode.value = LD.site(id).mode; LD.showApiError(view, errBox, r, 'Mode not changed'); return; }
        LD.putSite(r.body);
        LD.flash(saveNote, want === 'offline' ? 'Chat paused' : 'Chat follows the hours');
      });
    }
    v.show = function () {
      if (!editor) build();
      LD.loadSites().then(function (r) {
        if (!r.ok) { errBox.textContent = r.error.message; errBox.hidden = false; return; }
        if (S.dirty && editing) LD.store(SITE_KEY, editing); // back to unsaved edits: keep them
        picker.refresh();
        if (S.dirty && editing === LD.siteId()) { showStatus(); return; }
        load(LD.siteId());
      });
    };
    v.reset = function () { view.textContent = ''; editor = null; editing = null; range = null; clearTimeout(previewTimer); S = fresh(); };
    v.state = function () {
      return { saving: S.saving, saves: S.saves, error: S.error, errors: S.errors, dirty: S.dirty, preview: S.preview,
        previews: S.previews, previewDraft: S.previewDraft, previewRange: S.previewRange, previewErrors: S.previewErrors,
        merges: S.merges, coverage: S.coverage, schedule: editor ? editor.get() : null };
    };
    LD.views.hours = v;
  })();

  // ---- site settings and new sites ----
  var FIELD_TYPES = ['text', 'textarea', 'email', 'tel', 'number', 'checkbox'];
  (function () {
    var v = { shown: false }, S = { saves: 0, error: null, dirty: false };
    var view = $('view-settings'), picker, form, errBox, note, createForm, embed, model, editing = null;
    function num(label, path, min, max, hint) {
      var id = 'set-' + path;
      return el('div', { class: 'row' }, [
        el('label', { for: id, text: label }),
        el('input', { id: id, type: 'number', min: min, max: max, step: 1, 'data-path': path, 'data-testid': 'site-' + path.replace(/_/g, '-'),
          value: model[path] == null ? '' : String(model[path]), oninput: function () { model[path] = this.value === '' ? null : Number(this.value); } }),
        el('span', { class: 'muted', text: hint })
      ]);
    }
    // The form edits a copy of the site's editable fields.
    function reload() {
      var s = LD.site();
      editing = s ? s.id : null;
      S.dirty = false;
      model = !s ? null : {
        name: s.name, allowed_origins: s.allowed_origins.slice(), closing_soon_minutes: s.closing_soon_minutes,
        queue_timeout_seconds: s.queue_timeout_seconds, retention_days: s.retention_days == null ? null : s.retention_days,
        offline_form: { enabled: s.offline_form.enabled, fields: s.offline_form.fields.map(function (f) { return Object.assign({}, f); }) }
      };
      render();
    }
    function render() {
      form.textContent = '';
      if (!model) { form.appendChild(el('p', { class: 'muted', text: 'No site yet.' })); return; }
      var origins = el('div', { class: 'list', 'data-path': 'allowed_origins' });
      model.allowed_origins.forEach(function (o, i) {
        origins.appendChild(el('div', { class: 'list-row' }, [
          el('input', { type: 'url', value: o, 'data-path': 'allowed_origins[' + i + ']', 'data-testid': 'origin', placeholder: 'https://shop.example.com',
            'aria-label': 'Allowed origin ' + (i + 1), oninput: function () { model.allowed_origins[i] = this.value.trim(); } }),
          el('button', { type: 'button', class: 'icon', 'aria-label': 'Remove origin ' + (i + 1), text: '✕',
            onclick: function () { model.allowed_origins.splice(i, 1); keep(); } })
        ]));
      });
      origins.appendChild(el('button', { type: 'button', class: 'link', 'data-testid': 'add-origin', text: '+ Add origin',
        onclick: function () { model.allowed_origins.push(''); keep('[data-path="allowed_origins[' + (model.allowed_origins.length - 1) + ']"]'); } }));
      // A field's labels in other languages (docs/protocol.md#form-labels) are edited
      // as one line, "de: Bestellnummer; fr: Numéro"; a part without a label is kept
      // empty so the server names it.
      function labelsText(labels) {
        return Object.keys(labels || {}).map(function (k) { return k + ': ' + labels[k]; }).join('; ');
      }
      function setLabels(f, text) {
        var out = {}, any = false;
        text.split(';').forEach(function (part) {
          if (!part.trim()) return;
          var at = part.indexOf(':'), tag = (at < 0 ? part : part.slice(0, at)).trim();
          out[tag] = at < 0 ? '' : part.slice(at + 1).trim();
          any = true;
        });
        if (any) f.labels = out; else delete f.labels;
      }
      var fields = el('div', { class: 'list', 'data-path': 'offline_form.fields' });
      model.offline_form.fields.forEach(function (f, i) {
        var p = 'offline_form.fields[' + i + ']', lbl = 'Field ' + (i + 1);
        fields.appendChild(el('div', { class: 'list-row', 'data-testid': 'form-field' }, [
          el('input', { value: f.name, 'data-path': p + '.name', 'data-testid': 'form-field-name', placeholder: 'order_number', 'aria-label': lbl + ' name',
            oninput: function () { f.name = this.value.trim(); } }),
          el('input', { value: f.label, 'data-path': p + '.label', 'data-testid': 'form-field-label', placeholder: 'Order number', 'aria-label': lbl + ' label',
            oninput: function () { f.label = this.value; } }),
          el('input', { value: labelsText(f.labels), 'data-path': p + '.labels', 'data-testid': 'form-field-labels',
            placeholder: 'de: Bestellnummer; fr: Numéro', 'aria-label': lbl + ' label in other languages (tag: label; …)',
            title: 'The label in other languages, as language tag: label, separated by ;', oninput: function () { setLabels(f, this.value); } }),
          el('select', { 'data-path': p + '.type', 'data-testid': 'form-field-type', 'aria-label': lbl + ' type', onchange: function () { f.type = this.value; } },
            FIELD_TYPES.map(function (t) { return el('option', { value: t, text: t, selected: (f.type || 'text') === t }); })),
          el('label', { class: 'check' }, [el('input', { type: 'checkbox', 'data-testid': 'form-field-required', checked: !!f.required,
            onchange: function () { f.required = this.checked; } }), ' required']),
          el('button', { type: 'button', class: 'icon', 'aria-label': 'Remove ' + lbl.toLowerCase(), text: '✕',
            onclick: function () { model.offline_form.fields.splice(i, 1); keep(); } })
        ]));
      });
      fields.appendChild(el('button', { type: 'button', class: 'link', 'data-testid': 'add-form-field', text: '+ Add field',
        onclick: function () {
          model.offline_form.fields.push({ name: '', label: '', type: 'text', required: false });
          keep('[data-path="offline_form.fields[' + (model.offline_form.fields.length - 1) + '].name"]');
        } }));
      form.append(
        el('div', { class: 'row' }, [el('label', { for: 'set-name', text: 'Name' }),
          el('input', { id: 'set-name', value: model.name, 'data-path': 'name', 'data-testid': 'site-name', required: true,
            oninput: function () { model.name = this.value; } })]),
        el('fieldset', {}, [el('legend', { text: 'Allowed origins' }),
          el('p', { class: 'muted', text: 'Pages that may embed the widget. Empty: any.' }), origins]),
        el('fieldset', {}, [el('legend', { text: 'Timing' }),
          num('Closing soon notice', 'closing_soon_minutes', 0, 1440, 'minutes before closing (0: none)'),
          num('Queue timeout', 'queue_timeout_seconds', 10, 86400, 'seconds a chat may wait in the queue')]),
        // docs/protocol.md#retention: empty keeps everything (null).
        el('fieldset', {}, [el('legend', { text: 'Data retention' }),
          num('Keep chats for', 'retention_days', 1, 3650, 'days after they end, done offline messages too (empty: forever)')]),
        el('fieldset', {}, [el('legend', { text: 'Offline form' }),
          el('label', { class: 'check' }, [el('input', { type: 'checkbox', 'data-path': 'offline_form.enabled', 'data-testid': 'offline-enabled',
            checked: model.offline_form.enabled, onchange: function () { model.offline_form.enabled = this.checked; } }),
          ' Offer the offline form when the chat is offline (off: the widget hides itself)']),
          el('p', { class: 'muted', text: 'Name, e-mail and message are always asked. Extra fields:' }), fields]),
        el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', 'data-testid': 'site-save', text: 'Save settings' }), note]),
        errBox
      );
      embed.textContent = '<script src="' + location.origin + '/widget.js" data-site="' + LD.siteId() + '" async></script>';
    }
    // Re-render after adding or removing a row, keeping what was typed.
    function keep(focusSel) {
      S.dirty = true;
      render();
      var f = focusSel && form.querySelector(focusSel);
      if (f) f.focus();
    }
    function submit() {
      var id = LD.siteId();
      LD.clearErrors(form); errBox.hidden = true; S.error = null;
      var body = JSON.parse(JSON.stringify(model));
      body.allowed_origins = body.allowed_origins.filter(Boolean);
      LD.api('PATCH', '/sites/' + encodeURIComponent(id), body).then(function (r) {
        if (!r.ok) { S.error = r.error; LD.showApiError(form, errBox, r, 'Not saved'); return; }
        LD.putSite(r.body);
        S.saves++;
        picker.refresh();
        reload();
        LD.flash(note, 'Saved');
      });
    }
    function create(name) {
      var err = createForm.querySelector('.error');
      LD.clearErrors(createForm); err.hidden = true;
      LD.api('POST', '/sites', { name: name }).then(function (r) {
        if (!r.ok) { LD.showApiError(createForm, err, r, 'Not created'); return; }
        LD.putSite(r.body);
        LD.store(SITE_KEY, r.body.id);
        createForm.hidden = true;
        createForm.reset();
        picker.refresh();
        reload();
        LD.flash(note, 'Site created');
      });
    }
    function build() {
      picker = LD.sitePicker(function () {
        if (S.dirty && !window.confirm('Drop the unsaved changes to ' + (LD.site(editing) || {}).name + '?')) {
          LD.store(SITE_KEY, editing);
          picker.refresh();
          return;
        }
        reload();
      });
      errBox = el('p', { class: 'error', 'data-testid': 'site-error', role: 'alert', hidden: true });
      note = el('span', { class: 'ok', role: 'status', 'data-testid': 'site-saved', hidden: true });
      form = el('form', { class: 'card settings', 'data-testid': 'site-form', novalidate: true, onsubmit: function (e) { e.preventDefault(); submit(); },
        oninput: function () { S.dirty = true; }, onchange: function () { S.dirty = true; } });
      createForm = el('form', { class: 'card inline', 'data-testid': 'site-create', hidden: true, novalidate: true,
        onsubmit: function (e) { e.preventDefault(); create(this.elements.name.value); } }, [
        el('label', { for: 'new-site-name', text: 'New site name' }),
        el('input', { id: 'new-site-name', name: 'name', 'data-path': 'name', required: true }),
        el('button', { type: 'submit', class: 'primary', text: 'Create' }),
        el('button', { type: 'button', text: 'Cancel', onclick: function () { createForm.hidden = true; } }),
        el('p', { class: 'error', role: 'alert', hidden: true })
      ]);
      embed = el('code', { 'data-testid': 'embed-code' });
      view.append(
        el('div', { class: 'view-head' }, [el('h2', { text: 'Site settings' }), picker,
          el('button', { type: 'button', 'data-testid': 'site-new', text: 'New site',
            onclick: function () { createForm.hidden = false; createForm.elements.name.focus(); } })]),
        createForm, form,
        el('section', { class: 'card' }, [el('h3', { text: 'Embed the widget' }),
          el('p', { class: 'muted', text: 'Put this in the pages of the site:' }), el('pre', {}, [embed])])
      );
    }
    v.show = function () {
      if (!form) build();
      LD.loadSites().then(function (r) {
        if (!r.ok) { errBox.textContent = r.error.message; errBox.hidden = false; return; }
        if (S.dirty && editing) { LD.store(SITE_KEY, editing); picker.refresh(); return; } // keep unsaved edits
        picker.refresh();
        reload();
      });
    };
    v.reset = function () { view.textContent = ''; form = null; editing = null; S = { saves: 0, error: null, dirty: false }; };
    v.state = function () { return { saves: S.saves, error: S.error, dirty: S.dirty }; };
    LD.views.settings = v;
  })();
})();
