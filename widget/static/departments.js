/* The widget's departments (docs/protocol.md#departments): the list the visitor's welcome
 * gives, in position order, kept live by department.status frames, and the picker that
 * shows it. Served inside widget.js's one function, before widget.js (widget/embed.go).
 * LivedeskDepartments(o): o.el(tag, attrs, kids) builds an element (text as textContent,
 * never markup), o.label(status) says a department's status in the visitor's words,
 * o.pick(id) is called with the department the visitor chose, online or not. */
var LivedeskDepartments = function (o) {
  'use strict';
  var list = [], nodes = {};
  var out = {
    // set replaces the departments with a welcome's; entries without an id or a
    // status, and anything but a list, count as none.
    set: function (ds) {
      list = (Array.isArray(ds) ? ds : []).filter(function (d) {
        return d && typeof d.id === 'string' && d.id && d.status && typeof d.status === 'object';
      }).map(function (d) { return { id: d.id, name: String(d.name || ''), status: d.status }; });
    },
    // all is every department, in position order (read only).
    all: function () { return list; },
    // find is the department of an id, or undefined.
    find: function (id) { return list.filter(function (d) { return d.id === id; })[0]; },
    // online is the departments online now, in position order.
    online: function () { return list.filter(function (d) { return !!d.status.online; }); },
    // status applies a department.status frame's status; false (and nothing changes)
    // for an id it does not know or a frame without a status.
    status: function (id, st) {
      var d = out.find(id);
      if (!d || !st || typeof st !== 'object') return false;
      d.status = st;
      return true;
    },
    // forget drops a department the server said it does not have.
    forget: function (id) { list = list.filter(function (d) { return d.id !== id; }); },
    // render brings the picker's buttons in box in line with the departments: one per
    // department, in order, each saying its name and its status; an offline one is
    // disabled unless offlineOK (the site's offline form is on). The nodes are kept
    // across renders, so a status change does not move the focus.
    render: function (box, offlineOK) {
      var keep = {};
      list.forEach(function (d, i) {
        var n = nodes[d.id], id = d.id;
        if (!n) {
          n = nodes[id] = o.el('button', { type: 'button', class: 'dept', 'data-testid': 'department', 'data-id': id,
            onclick: function () { o.pick(id); } }, [o.el('b', { class: 'name' }), o.el('small', { class: 'state' })]);
        }
        var on = !!d.status.online, txt = o.label(d.status);
        n.firstChild.textContent = d.name;
        n.lastChild.textContent = txt;
        n.classList.toggle('off', !on);
        n.setAttribute('data-state', on ? 'online' : 'offline');
        n.disabled = !on && !offlineOK;
        n.setAttribute('aria-label', d.name + ': ' + txt);
        keep[id] = 1;
        if (box.children[i] !== n) box.insertBefore(n, box.children[i] || null);
      });
      for (var k in nodes) if (!keep[k]) { nodes[k].remove(); delete nodes[k]; }
    }
  };
  return out;
};
