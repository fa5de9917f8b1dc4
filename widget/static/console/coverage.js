/* Livedesk console: the coverage gaps shown beside the hours preview: the open hours of
 * a site that no agent serving it is rostered for (docs/protocol.md#coverage). Owners
 * and admins only, as the endpoint. */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el;
  var MAX_SHOWN = 20;

  // A gap in zone tz: "Mon 7 Dec 16:00–17:00", "Fri 11 Dec 22:00–06:00 (next day)".
  LD.gapLabel = function (gap, tz) {
    var p = LD.parts(Date.parse(gap.start), tz);
    return LD.dayLabel(p.date) + ' ' + p.hm + '–' + LD.periodEnd(Date.parse(gap.end), tz, p.date);
  };

  // CoverageBox: show(siteId, hours, draft, deptId) asks GET /sites/{id}/coverage over the
  // range of an hours answer ({timezone, from, to}) and lists the gaps in the site's
  // zone; only the latest answer counts. It resolves with the gaps shown, null when
  // none are (not a manager, an error), undefined for an answer a later show
  // replaced. draft: the preview
  // shows unsaved edits, which the gaps (of the saved hours) do not know of yet.
  // deptId: the gaps of that department (docs/protocol.md#department-coverage).
  LD.CoverageBox = function () {
    var root = el('div', { class: 'coverage', 'data-testid': 'coverage', 'aria-live': 'polite', hidden: true });
    var seq = 0;
    function render(gaps, tz, draft) {
      root.textContent = '';
      root.appendChild(el('h4', { text: 'Coverage' }));
      if (!gaps.length) {
        root.appendChild(el('p', { class: 'ok', 'data-testid': 'coverage-ok', text: 'Every open hour is covered' }));
      } else {
        root.appendChild(el('p', { class: 'warn-text', 'data-testid': 'coverage-title', text: 'No one is rostered:' }));
        root.appendChild(el('ul', { class: 'gaps' }, gaps.slice(0, MAX_SHOWN).map(function (g) {
          return el('li', { 'data-testid': 'coverage-gap', 'data-start': g.start, 'data-end': g.end, text: LD.gapLabel(g, tz) });
        })));
        if (gaps.length > MAX_SHOWN) root.appendChild(el('p', { class: 'muted small', text: 'and ' + (gaps.length - MAX_SHOWN) + ' more' }));
      }
      root.appendChild(el('p', { class: 'muted small', 'data-testid': 'coverage-source', text: draft
        ? 'Against the saved hours: save to check your changes. Agents\' own shifts count; presence does not.'
        : 'Times in ' + tz + '. Agents\' own shifts count; presence does not.' }));
    }
    function show(id, hours, draft, deptId) {
      var n = ++seq;
      if (!LD.isManager()) { root.hidden = true; return Promise.resolve(null); }
      var q = '?from=' + encodeURIComponent(hours.from) + '&to=' + encodeURIComponent(hours.to) +
        (deptId ? '&department_id=' + encodeURIComponent(deptId) : '');
      return LD.api('GET', '/sites/' + encodeURIComponent(id) + '/coverage' + q).then(function (r) {
        if (n !== seq) return undefined;
        root.hidden = false;
        if (!r.ok || !r.body || !Array.isArray(r.body.gaps)) {
          root.textContent = '';
          root.appendChild(el('p', { class: 'error', 'data-testid': 'coverage-error', text: 'Coverage unavailable: ' + ((r.error && r.error.message) || 'no answer') }));
          return null;
        }
        render(r.body.gaps, hours.timezone, draft);
        return r.body.gaps;
      });
    }
    function clear() { seq++; root.hidden = true; root.textContent = ''; }
    return { root: root, show: show, clear: clear };
  };
})();
