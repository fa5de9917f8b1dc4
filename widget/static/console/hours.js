/* Livedesk console: the schedule editor (a site's hours or an agent's shifts) and the
 * preview of a site's next days. Schedules are docs/protocol.md#schedules. */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el;
  var DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  var DAY_NAMES = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
  var MAX_INTERVALS = 12;
  var seq = 0;

  // Datalists shared by every editor: IANA zones (the input filters them as one types)
  // and the half hours (a picker for the time inputs).
  function datalist(id, values) {
    if (!document.getElementById(id)) {
      document.body.appendChild(el('datalist', { id: id }, values.map(function (v) { return el('option', { value: v }); })));
    }
    return id;
  }
  // The zones are those of the server's database (GET /timezones, every IANA zone a
  // schedule accepts); the browser's own list stands in until they arrive. Each option
  // is labelled with spaces for underscores, so "ho chi" finds Asia/Ho_Chi_Minh.
  var zonesAsked = false;
  function zoneOption(v) { return el('option', { value: v, label: v.replace(/_/g, ' ') }); }
  function zoneList() {
    var id = datalist('ld-zones', []);
    if (!zonesAsked) {
      zonesAsked = true;
      var dl = document.getElementById(id);
      LD.zones().forEach(function (v) { dl.appendChild(zoneOption(v)); });
      LD.api('GET', '/timezones').then(function (r) {
        if (!r.ok || !r.body || !Array.isArray(r.body.timezones)) { zonesAsked = false; return; }
        LD.zoneNames = r.body.timezones;
        dl.textContent = '';
        r.body.timezones.forEach(function (v) { dl.appendChild(zoneOption(v)); });
        dl.setAttribute('data-source', 'server');
      });
    }
    return id;
  }
  function timeList() {
    var t = [];
    for (var m = 0; m <= 1440; m += 30) t.push(String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0'));
    return datalist('ld-times', t);
  }

  // Times are typed as the API writes them, HH:MM on 24 hours with 24:00 as an end (a
  // type=time input can hold neither 24:00 nor, in some locales, a 24-hour display).
  // Loose input is tidied when the field is left: 8 -> 08:00, 830 -> 08:30, 8.30 -> 08:30.
  function tidyTime(v) {
    var s = v.trim(), m = /^(\d{1,2})(?:[:.h ]?(\d{2}))?$/.exec(s) || /^(\d{1,2})[:.h ](\d)$/.exec(s);
    if (!m) return s;
    var h = Number(m[1]), min = m[2] ? Number(m[2].length === 1 ? m[2] + '0' : m[2]) : 0;
    if (h > 24 || min > 59 || (h === 24 && min)) return s;
    return String(h).padStart(2, '0') + ':' + String(min).padStart(2, '0');
  }
  function copy(iv) { return { from: iv.from || '', to: iv.to || '' }; }
  function note(iv) {
    if (!/^\d\d:\d\d$/.test(iv.from) || !/^\d\d:\d\d$/.test(iv.to)) return '';
    return iv.to < iv.from ? '(next day)' : '';
  }
  function span(iv) { return iv.from + '–' + iv.to + (note(iv) ? ' ' + note(iv) : ''); }
  // "a", "a and b", "a, b and c"
  function andList(items) {
    return items.length < 2 ? items.join('') : items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
  }
  // The weekday key (mon..sun) of a YYYY-MM-DD date.
  function dayKey(date) { return DAYS[(new Date(date + 'T12:00:00Z').getUTCDay() + 6) % 7]; }
  function validDate(date) { return /^\d{4}-\d\d-\d\d$/.test(date || '') && !isNaN(Date.parse(date + 'T12:00:00Z')); }

  // A schedule field's JSON path said for people: "weekly.mon[1].to" -> "Monday,
  // interval 2, closes at"; sch (the schedule sent) names exception dates.
  LD.schedulePathLabel = function (path, sch) {
    var m = /^(?:weekly\.(\w+)|exceptions\[(\d+)\](?:\.date)?(\.intervals)?)(?:\[(\d+)\](?:\.(from|to))?)?$/.exec(path || '');
    if (path === 'timezone') return 'Time zone';
    if (path === 'enabled') return 'Enabled';
    if (!path) return 'Schedule';
    if (!m) return path;
    var out;
    if (m[1] !== undefined) out = DAY_NAMES[m[1]] || path;
    else {
      var e = sch && sch.exceptions && sch.exceptions[+m[2]];
      out = 'Date ' + (+m[2] + 1) + (e && e.date ? ' (' + e.date + ')' : '');
    }
    if (m[4] !== undefined) out += ', interval ' + (+m[4] + 1);
    if (m[5]) out += m[5] === 'from' ? ', opens at' : ', closes at';
    return out;
  };

  // A titled list of a schedule's problems, each with its field said for people.
  LD.scheduleProblemList = function (title, problems, sch) {
    return el('div', {}, [el('p', { text: title }), el('ul', { class: 'problems', 'data-testid': 'problem-list' }, problems.map(function (p) {
      return el('li', { 'data-field': p.path, text: LD.schedulePathLabel(p.path, sch) + ': ' + p.message });
    }))]);
  };

  // ScheduleEditor builds an editor. opts.follow: offer "follow the site's hours"
  // (an agent's schedule, null on the wire); with opts.opening the schedule is opening
  // hours (a department's), not shifts, and follow reads "use the site's hours".
  // opts.onchange: called on every edit.
  LD.ScheduleEditor = function (opts) {
    opts = opts || {};
    var shifts = !!opts.follow && !opts.opening;
    var id = 'se' + (++seq), st = blank(), saved = 'null';
    var root = el('div', { class: 'sched', 'data-testid': 'hours-editor' });

    function blank() {
      var s = { follow: !!opts.follow, enabled: true, timezone: LD.localZone(), days: {}, exceptions: [] };
      DAYS.forEach(function (d) { s.days[d] = { on: false, list: [] }; });
      return s;
    }
    function set(sch) {
      st = blank();
      st.follow = !!opts.follow && !sch;
      if (sch) {
        st.enabled = !!sch.enabled;
        st.timezone = sch.timezone || 'UTC';
        DAYS.forEach(function (d) {
          var list = (sch.weekly && sch.weekly[d]) || [];
          st.days[d] = { on: list.length > 0, list: list.map(copy) };
        });
        st.exceptions = (sch.exceptions || []).map(function (e) {
          var list = e.intervals || [];
          return { date: e.date, closed: list.length === 0, list: list.map(copy) };
        });
      }
      saved = JSON.stringify(get());
      render();
    }
    function get() {
      if (opts.follow && st.follow) return null;
      var weekly = {};
      DAYS.forEach(function (d) { weekly[d] = st.days[d].on ? st.days[d].list.map(copy) : []; });
      return {
        enabled: st.enabled, timezone: st.timezone.trim(), weekly: weekly,
        exceptions: st.exceptions.map(function (e) { return { date: e.date, intervals: e.closed ? [] : e.list.map(copy) }; })
      };
    }
    function changed() {
      LD.clearErrors(root);
      exNotes();
      var none = root.querySelector('.none-note');
      if (none) none.hidden = hasHours();
      if (opts.onchange) opts.onchange();
    }
    function hasHours() {
      return DAYS.some(function (d) { return st.days[d].on && st.days[d].list.length; }) ||
        st.exceptions.some(function (e) { return !e.closed && e.list.length; });
    }
    function structural(focusSel) {
      render();
      changed();
      var f = focusSel && root.querySelector(focusSel);
      if (f) f.focus();
    }

    // One interval row; path is its JSON path, key names it in test ids.
    function intervalRow(list, i, path, key, label) {
      var iv = list[i];
      var noteEl = el('span', { class: 'iv-note muted', 'data-testid': 'interval-note', text: note(iv) });
      function input(name) {
        return el('input', {
          type: 'text', class: 'time', name: name, 'data-testid': name, 'data-path': path + '.' + name, value: iv[name], required: true,
          list: timeList(), inputmode: 'numeric', maxlength: 5, placeholder: 'HH:MM', autocomplete: 'off', spellcheck: 'false',
          'aria-label': label + ', interval ' + (i + 1) + ', ' + (name === 'from' ? 'opens at' : 'closes at') + ' (HH:MM, 24-hour)',
          oninput: function () { iv[name] = this.value.trim(); noteEl.textContent = note(iv); changed(); },
          onchange: function () {
            var t = tidyTime(this.value);
            if (t !== this.value) { this.value = t; iv[name] = t; noteEl.textContent = note(iv); changed(); }
          }
        });
      }
      return el('div', { class: 'interval', 'data-testid': 'interval-' + key + '-' + i, 'data-path': path }, [
        input('from'), el('span', { 'aria-hidden': 'true', text: '–' }), input('to'), noteEl,
        el('button', {
          type: 'button', class: 'icon', 'data-testid': 'remove-interval', 'aria-label': 'Remove ' + label + ' interval ' + (i + 1), text: '✕',
          onclick: function () { list.splice(i, 1); structural('[data-testid="add-interval-' + key + '"]'); }
        })
      ]);
    }
    function intervals(list, path, key, label, dflt) {
      var box = el('div', { class: 'intervals', 'data-path': path });
      list.forEach(function (_, i) { box.appendChild(intervalRow(list, i, path + '[' + i + ']', key, label)); });
      box.appendChild(el('button', {
        type: 'button', class: 'link', 'data-testid': 'add-interval-' + key, text: '+ Add interval', disabled: list.length >= MAX_INTERVALS,
        onclick: function () {
          var last = list[list.length - 1];
          list.push(last ? { from: last.to === '24:00' ? '00:00' : last.to, to: '' } : { from: dflt[0], to: dflt[1] });
          structural('[data-testid="interval-' + key + '-' + (list.length - 1) + '"] input[name=from]');
        }
      }));
      return box;
    }

    function render() {
      root.textContent = '';
      if (opts.follow) {
        root.appendChild(el('label', { class: 'check' }, [
          el('input', { type: 'checkbox', 'data-testid': 'schedule-follow', checked: st.follow,
            onchange: function () { st.follow = this.checked; structural(); } }),
          opts.opening ? ' Use the site\'s hours' : ' Follow the site\'s hours (no shifts of its own)'
        ]));
        if (st.follow) return;
      }
      var tzId = id + '-tz', tzNow = el('span', { class: 'muted', 'data-testid': 'tz-now' });
      function showNow() {
        if (!LD.validZone(st.timezone.trim())) {
          var known = LD.zoneNames && LD.zoneNames.indexOf(st.timezone.trim()) >= 0;
          tzNow.textContent = known ? 'this browser has no clock for this zone' : 'unknown time zone';
          return;
        }
        var p = LD.parts(LD.now(), st.timezone.trim());
        tzNow.textContent = LD.offsetLabel(p.offset) + ' · ' + p.hm + ' there now';
      }
      showNow();
      root.appendChild(el('div', { class: 'sched-head' }, [
        el('label', { class: 'check' }, [
          el('input', { type: 'checkbox', 'data-testid': 'hours-enabled', 'data-path': 'enabled', checked: st.enabled,
            onchange: function () { st.enabled = this.checked; root.classList.toggle('off', !st.enabled); changed(); } }),
          shifts ? ' Limit to these hours' : ' Opening hours enabled'
        ]),
        el('span', { class: 'off-note muted', text: shifts ? 'Off: always on shift.' : 'Off: always open; the hours below are kept.' }),
        el('span', { class: 'field' }, [
          el('label', { for: tzId, text: 'Time zone' }),
          el('input', { id: tzId, list: zoneList(), 'data-testid': 'hours-timezone', 'data-path': 'timezone', value: st.timezone,
            autocomplete: 'off', spellcheck: 'false', placeholder: 'Search: Paris, New_York, UTC…', class: 'tz',
            oninput: function () { st.timezone = this.value; showNow(); changed(); } }),
          el('button', { type: 'button', class: 'link', text: 'Use mine', title: 'Use this computer\'s zone (' + LD.localZone() + ')',
            onclick: function () { st.timezone = LD.localZone(); structural('[data-testid="hours-timezone"]'); } }),
          tzNow
        ])
      ]));
      root.classList.toggle('off', !st.enabled);

      var week = el('div', { class: 'week', role: 'group', 'aria-label': 'Weekly hours' });
      DAYS.forEach(function (d) {
        var day = st.days[d], tid = id + '-' + d;
        week.appendChild(el('div', { class: 'day' + (day.on ? '' : ' closed'), 'data-testid': 'day-' + d, 'data-path': 'weekly.' + d }, [
          el('label', { class: 'check day-name', for: tid }, [
            el('input', { type: 'checkbox', id: tid, 'data-testid': 'day-toggle-' + d, checked: day.on,
              onchange: function () {
                day.on = this.checked;
                if (day.on && !day.list.length) day.list.push({ from: '09:00', to: '17:00' });
                structural('[data-testid="day-toggle-' + d + '"]');
              } }),
            ' ' + DAY_NAMES[d]
          ]),
          day.on ? intervals(day.list, 'weekly.' + d, d, DAY_NAMES[d], ['09:00', '17:00']) : el('span', { class: 'muted', text: 'Closed' })
        ]));
      });
      root.appendChild(week);
      root.appendChild(el('p', { class: 'none-note warn-text', role: 'status', hidden: hasHours(),
        text: shifts ? 'No hours: never on shift while this is enabled.' : 'No hours: the chat is always closed while this is enabled.' }));

      var ex = el('div', { class: 'exceptions', role: 'group', 'aria-label': 'Holidays and special dates' }, [
        el('h4', { text: 'Holidays and special dates' })
      ]);
      st.exceptions.forEach(function (e, i) {
        var p = 'exceptions[' + i + ']', label = 'Date ' + (i + 1);
        var wd = el('span', { class: 'muted wd', text: /^\d{4}-\d\d-\d\d$/.test(e.date) ? LD.weekday(e.date) : '' });
        var replaces = el('p', { class: 'ex-note muted', 'data-testid': 'exception-replaces', 'data-exception': i });
        ex.appendChild(el('div', { class: 'exception', 'data-testid': 'exception-' + i, 'data-path': p }, [
          el('input', { type: 'date', 'data-testid': 'exception-date', 'data-path': p + '.date', value: e.date, 'aria-label': label,
            oninput: function () { e.date = this.value; wd.textContent = validDate(this.value) ? LD.weekday(this.value) : ''; changed(); } }),
          wd,
          el('select', { 'data-testid': 'exception-kind', 'aria-label': label + ': closed or special hours',
            onchange: function () {
              e.closed = this.value === 'closed';
              if (!e.closed && !e.list.length) e.list.push({ from: '09:00', to: '13:00' });
              structural('[data-testid="exception-' + i + '"] [data-testid=exception-kind]');
            } }, [
            el('option', { value: 'closed', text: 'Closed', selected: e.closed }),
            el('option', { value: 'hours', text: 'Special hours', selected: !e.closed })
          ]),
          e.closed ? null : intervals(e.list, p + '.intervals', 'x' + i, label, ['09:00', '13:00']),
          el('button', { type: 'button', class: 'icon remove', 'data-testid': 'remove-exception', 'aria-label': 'Remove ' + label, text: '✕',
            onclick: function () { st.exceptions.splice(i, 1); structural('[data-testid=add-exception]'); } }),
          replaces
        ]));
      });
      ex.appendChild(el('button', {
        type: 'button', class: 'link', 'data-testid': 'add-exception', text: '+ Add holiday or special date',
        onclick: function () {
          var tz = LD.validZone(st.timezone.trim()) ? st.timezone.trim() : 'UTC';
          st.exceptions.push({ date: LD.parts(LD.now(), tz).date, closed: true, list: [] });
          structural('[data-testid="exception-' + (st.exceptions.length - 1) + '"] [data-testid=exception-date]');
        }
      }));
      root.appendChild(ex);
      exNotes();
    }

    // What each special date replaces: the whole day, whatever the weekly hours of its
    // weekday are (an overnight interval of the day before still runs into it).
    function exNotes() {
      root.querySelectorAll('[data-testid=exception-replaces]').forEach(function (n) {
        var e = st.exceptions[+n.getAttribute('data-exception')];
        if (!e || !validDate(e.date)) { n.textContent = ''; return; }
        var k = dayKey(e.date), day = st.days[k], name = DAY_NAMES[k];
        var weekly = day.on ? day.list.filter(function (iv) { return iv.from && iv.to; }).map(span) : [];
        var theirs = weekly.length ? name + '\'s weekly hours (' + weekly.join(', ') + ')' : null;
        n.textContent = e.closed
          ? (theirs ? 'Closed all day instead of ' + theirs + '.' : 'Closed all day (' + name + ' is closed every week anyway).')
          : 'These hours replace the whole day: ' + (theirs ? theirs + ' do not apply on ' + e.date + '.' : name + ' is closed every week.');
      });
    }

    // Marks the intervals the server says merge (POST /sites/{id}/hours/preview's
    // merges) and names them in a note under their day; [] clears the notes.
    function showMerges(merges) {
      root.querySelectorAll('.merge-note').forEach(function (n) { n.remove(); });
      root.querySelectorAll('.interval.merged').forEach(function (n) { n.classList.remove('merged'); });
      (merges || []).forEach(function (m) {
        var box = root.querySelector('.intervals[data-path="' + CSS.escape(m.path) + '"]');
        if (!box) return;
        var x = /^exceptions\[(\d+)\]/.exec(m.path), e = x && st.exceptions[+x[1]];
        var who = x ? (e && validDate(e.date) ? LD.dayLabel(e.date) : 'Date ' + (+x[1] + 1)) : DAY_NAMES[m.path.slice(7)];
        m.indices.forEach(function (i) {
          var row = box.querySelector(':scope > .interval[data-path="' + CSS.escape(m.path + '[' + i + ']') + '"]');
          if (row) row.classList.add('merged');
        });
        box.appendChild(el('p', { class: 'merge-note', 'data-testid': 'merge-note', 'data-path': m.path,
          text: who + ' ' + andList(m.intervals.map(span)) + ' are merged into ' + span(m.into) + ': they overlap or touch, so they make one opening.' }));
      });
    }

    // Shows every problem of a refused save at its field, all at once, and puts the
    // focus on the first; returns how many found their field.
    function showErrors(problems) {
      LD.clearErrors(root);
      var first = null, placed = 0;
      (problems || []).forEach(function (p) {
        var at = LD.fieldError(root, p.path, p.message);
        if (at) { placed++; first = first || at; }
      });
      if (first && first.focus) first.focus();
      return placed;
    }

    // Shows a refused save (an LD.api answer): every problem at its field and listed in
    // box, or, for an error that lists none, the one error as LD.showApiError does.
    function showSaveError(box, res, what) {
      var e = res.error || {};
      if (!e.errors || !e.errors.length) { LD.showApiError(root, box, res, what); return; }
      showErrors(e.errors);
      var n = e.errors.length;
      box.textContent = '';
      box.appendChild(LD.scheduleProblemList((what || 'Not saved') + ': ' + (n === 1 ? 'one problem' : n + ' problems') + ', shown at ' +
        (n === 1 ? 'its field' : 'their fields') + ':', e.errors, get()));
      box.hidden = false;
    }

    render();
    return {
      root: root, set: set, get: get,
      dirty: function () { return JSON.stringify(get()) !== saved; },
      clearErrors: function () { LD.clearErrors(root); },
      showMerges: showMerges, showErrors: showErrors, showSaveError: showSaveError
    };
  };

  // ---- preview of GET /sites/{id}/hours: one row per local date of the site ----
  // The end of a period that started on date ref, in zone tz: "17:00", "24:00",
  // "06:00 (next day)", "Wed 25 Nov 09:00".
  LD.periodEnd = fmtEnd;
  function fmtEnd(e, tz, ref) {
    var p = LD.parts(e, tz);
    if (p.date === ref) return p.hm;
    if (p.date === LD.addDays(ref, 1)) return p.hm === '00:00' ? '24:00' : p.hm + ' (next day)';
    return LD.dayLabel(p.date) + ' ' + p.hm;
  }
  // A period in zone tz as seen from the site's date ref: "08:00–10:30", "Sun 20:00–22:00".
  function fmtRange(s, e, tz, ref) {
    var p = LD.parts(s, tz);
    return (p.date !== ref ? LD.weekday(p.date) + ' ' : '') + p.hm + '–' + fmtEnd(e, tz, p.date);
  }
  function dayItems(periods, ds, de, tz, local, date) {
    var site = [], mine = [];
    periods.forEach(function (p) {
      if (p.s >= de || p.e <= ds) return;
      if (p.s <= ds && p.e >= de) { site.push('Open all day'); mine.push('Open all day'); return; }
      if (p.s < ds) {
        site.push('until ' + fmtEnd(p.e, tz, date));
        var pe = LD.parts(p.e, local);
        mine.push('until ' + (pe.date !== date ? LD.weekday(pe.date) + ' ' : '') + pe.hm);
        return;
      }
      site.push(fmtRange(p.s, p.e, tz, date));
      mine.push(fmtRange(p.s, p.e, local, date));
    });
    return { site: site, mine: mine };
  }
  function zoneChange(tz, ds, de) {
    var a = LD.parts(ds, tz).offset, b = LD.parts(de - 1000, tz).offset;
    return a === b ? null : LD.offsetLabel(a) + ' → ' + LD.offsetLabel(b);
  }

  // One period per line; the cell's text is the periods joined by ", ".
  function periodsCell(testid, list, empty) {
    if (!list.length) return el('td', { 'data-testid': testid, class: 'muted', text: empty });
    return el('td', { 'data-testid': testid }, list.map(function (p, i) {
      return el('span', { class: 'period' }, [i ? el('span', { class: 'sr-sep', text: ', ' }) : null, p]);
    }));
  }

  // HoursPreview renders {timezone, from, to, periods} into a table; returns the days
  // it shows (for the console's state). opts.special: the dates of the schedule's
  // exceptions, marked in their rows.
  LD.renderPreview = function (box, hours, enabled, opts) {
    opts = opts || {};
    var tz = hours.timezone, local = LD.localZone(), same = tz === local, days = [], special = opts.special || [];
    var today = LD.parts(LD.now(), tz).date;
    var periods = (hours.periods || []).map(function (p) { return { s: Date.parse(p.start), e: Date.parse(p.end) }; });
    box.textContent = '';
    var body = el('tbody');
    for (var date = hours.from; date <= hours.to; date = LD.addDays(date, 1)) {
      var ds = LD.dayStart(date, tz), de = LD.dayStart(LD.addDays(date, 1), tz);
      var it = dayItems(periods, ds, de, tz, local, date);
      var siteCh = zoneChange(tz, ds, de), localCh = same ? null : zoneChange(local, ds, de);
      var notes = [];
      if (siteCh) notes.push('Clocks change in ' + tz + ': ' + siteCh);
      if (localCh) notes.push('Your clocks change: ' + localCh);
      days.push({ date: date, site: it.site, local: it.mine, clocks_change: notes.length > 0 });
      body.appendChild(el('tr', {
        'data-testid': 'preview-day', 'data-date': date, class: (date === today ? 'today' : '') + (notes.length ? ' dst' : ''),
        'data-clocks-change': siteCh && localCh ? 'both' : siteCh ? 'site' : localCh ? 'local' : null
      }, [
        el('th', { scope: 'row' }, [LD.dayLabel(date), date === today ? el('span', { class: 'muted', text: ' today' }) : null,
          special.indexOf(date) >= 0 ? el('span', { class: 'special-note', 'data-testid': 'preview-special', text: 'special date' }) : null,
          notes.length ? el('span', { class: 'dst-note', 'data-testid': 'clocks-change', text: '⚠ ' + notes.join('; ') }) : null]),
        periodsCell('preview-site', it.site, 'Closed'),
        same ? null : periodsCell('preview-local', it.mine, '—')
      ]));
    }
    box.appendChild(el('table', { class: 'preview' }, [
      el('caption', { 'data-testid': 'preview-caption', text: (hours.from === today ? 'Next ' + days.length + ' days' : days.length + ' days, ' + LD.dayLabel(hours.from) + ' to ' + LD.dayLabel(hours.to)) +
        (enabled === false ? ': hours disabled, always open' : '') +
        (same ? ', in ' + tz + ' (your zone too)' : '') }),
      el('thead', {}, [el('tr', {}, [
        el('th', { scope: 'col', text: 'Day' }),
        el('th', { scope: 'col' }, ['Site time', el('span', { class: 'zone', text: tz })]),
        same ? null : el('th', { scope: 'col' }, ['Your time', el('span', { class: 'zone', text: local })])
      ])]),
      body
    ]));
    return days;
  };
})();
