/* Livedesk console: the departments of the agent's sites as the agent socket tells
 * them (docs/protocol.md#department-status): each one's status and queue, kept from
 * the welcome's sites[].departments and the site.status, department.status and
 * queue frames, and shown under its site in the chats' side list. A site without
 * departments has none here and shows as before. */
(function () {
  'use strict';
  var LD = window.LD, el = LD.el;
  var REASONS = { paused: 'paused', outside_hours: 'outside hours', no_agents: 'no agents', open: 'open' };

  // deptList copies a welcome's or site.status's departments; null for a site without.
  LD.deptList = function (list) {
    if (!Array.isArray(list) || !list.length) return null;
    return list.map(function (d) { return { id: d.id, name: d.name || d.id, status: d.status || null, queue: d.queue || 0 }; });
  };
  function find(s, id) {
    var list = (s && s.departments) || [];
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }
  // deptStatuses applies a site.status's departments: their statuses and names, in its
  // order, keeping the queues known (a site.status says none). A site.status without
  // departments is that of a site that has none (any more).
  LD.deptStatuses = function (s, list) {
    if (!Array.isArray(list)) { s.departments = null; return; }
    var next = LD.deptList(list);
    (next || []).forEach(function (d) { var old = find(s, d.id); if (old) d.queue = old.queue; });
    s.departments = next;
  };
  // deptStatus applies a department.status to the site that has the department;
  // false when no site of the agent's has it (the frame is then ignored).
  LD.deptStatus = function (sites, id, status) {
    for (var i = 0; i < sites.length; i++) {
      var d = find(sites[i], id);
      if (d) { d.status = status || null; return true; }
    }
    return false;
  };
  // deptQueue applies a queue frame of a department; the site's queue is then the sum
  // of its departments', as the welcome counts it.
  LD.deptQueue = function (s, id, length) {
    var d = find(s, id);
    if (!d) return;
    d.queue = length || 0;
    s.queue = s.departments.reduce(function (n, x) { return n + x.queue; }, 0);
  };
  // statusText (of a site or a department): "Online", "Offline (outside hours)", "unknown".
  LD.statusText = function (st) {
    if (!st) return 'unknown';
    return st.online ? 'Online' : 'Offline' + (REASONS[st.reason] ? ' (' + REASONS[st.reason] + ')' : '');
  };
  // deptItems is the list of a site's departments for the side list, or null.
  LD.deptItems = function (s) {
    if (!s.departments) return null;
    return el('ul', { class: 'depts', 'data-testid': 'site-departments' }, s.departments.map(function (d) {
      var on = !!(d.status && d.status.online);
      return el('li', { 'data-testid': 'department', 'data-department-id': d.id, 'data-online': String(on) }, [
        el('span', { class: 'name', text: d.name }),
        el('span', { class: 'site-status' + (on ? ' on' : ''), 'data-testid': 'department-status', text: LD.statusText(d.status) }),
        d.queue ? el('span', { class: 'queue', 'data-testid': 'department-queue', text: 'Queue: ' + d.queue }) : null
      ]);
    }));
  };
})();
