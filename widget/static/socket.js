/* Livedesk socket client, shared by the widget and the console (docs/protocol.md#visitor-socket,
 * docs/protocol.md#agent-socket). The console loads it with a script tag; the gateway serves
 * widget.js as this file and the widget inside one function (no global on the host page).
 * LivedeskSocket(opts): connect; hello on each open (a visitor's resume carries last_seq); ping
 * every 25 s; after a close, full-jitter exponential backoff (a random wait up to 0.5 s, 1 s, 2 s...,
 * at most 30 s) reset by each welcome; and the outbox: frames kept in storage and sent again on
 * each welcome until acknowledged. opts: url(), enabled() (false: do not connect; default true),
 * hello(), onframe(f) (after a welcome marks the client connected), onclose(ev) (false: stay
 * closed), load()/save(json) (the stored outbox, null: none). */
var LivedeskSocket = (function () {
  'use strict';
  var PING_MS = 25000, MAX_FRAME = 16000, BASE_MS = 500, CAP_MS = 30000;

  return function (opts) {
    var ws = null, timer = null, ping = null, attempt = 0;
    var enabled = opts.enabled || function () { return true; };
    var out = {
      // connected: a welcome came on the current socket; read only.
      connected: false,
      // outbox: the entries {f: frame, wait: bool} not yet acknowledged, oldest first.
      // A waiting entry is kept but not sent until its owner clears wait.
      outbox: []
    };
    try {
      out.outbox = (JSON.parse(opts.load()) || []).map(function (e) { return e && e.f ? e : { f: e, wait: false }; });
    } catch (e) { out.outbox = []; }

    // send writes a frame on the open socket; false when there is none.
    out.send = function (f) {
      if (!ws || ws.readyState !== 1) return false;
      ws.send(JSON.stringify(f));
      return true;
    };
    // fits is whether a frame is within the server's frame limit.
    out.fits = function (f) { return new TextEncoder().encode(JSON.stringify(f)).length <= MAX_FRAME; };
    // save stores the outbox (after its owner changed an entry in place).
    out.save = function () { opts.save(out.outbox.length ? JSON.stringify(out.outbox) : null); };
    // queue adds a frame to the outbox and sends it now unless it waits or the client
    // is not connected (the next welcome sends it).
    out.queue = function (f, wait) {
      var e = { f: f, wait: !!wait };
      out.outbox.push(e); out.save(); sendEntry(e);
      return e;
    };
    // find is the outbox entry of a frame id, or undefined.
    out.find = function (id) { return out.outbox.filter(function (e) { return e.f.id === id; })[0]; };
    // ack drops the entry of a frame id: the server answered it.
    out.ack = function (id) { out.keep(function (e) { return e.f.id !== id; }); };
    // keep keeps the entries for which fn is true.
    out.keep = function (fn) {
      var n = out.outbox.length;
      out.outbox = out.outbox.filter(fn);
      if (n !== out.outbox.length) out.save();
    };
    // flush sends every entry that does not wait, after prepare(e) (optional) had a
    // look at each; on a welcome, this is the resend of what was not acknowledged.
    out.flush = function (prepare) {
      out.outbox.forEach(function (e) { if (prepare) prepare(e); sendEntry(e); });
      out.save();
    };
    // resendLater sends an entry again in 2 to 4 s if it is still unacknowledged (the
    // server said unavailable or rate_limited).
    out.resendLater = function (id) {
      setTimeout(function () { var e = out.find(id); if (e) sendEntry(e); }, 2000 + Math.random() * 2000);
    };
    // connect opens a socket now (unless disabled), cancelling a pending retry.
    out.connect = function () {
      clearTimeout(timer); timer = null;
      if (!enabled()) return;
      var s;
      try { s = new WebSocket(opts.url()); } catch (e) { return retry(); }
      ws = s;
      s.onopen = function () {
        out.send(opts.hello());
        ping = setInterval(function () { out.send({ type: 'ping' }); }, PING_MS);
      };
      s.onmessage = function (ev) {
        var f;
        try { f = JSON.parse(ev.data); } catch (e) { return; }
        if (!f || typeof f.type !== 'string') return;
        if (f.type === 'welcome' && s === ws) { out.connected = true; attempt = 0; }
        opts.onframe(f);
      };
      s.onclose = function (ev) {
        if (ws !== s) return;
        clearInterval(ping);
        ws = null; out.connected = false;
        if (opts.onclose(ev) !== false) retry();
      };
    };
    // reconnect closes the current socket; the client connects again after the backoff.
    out.reconnect = function () {
      out.connected = false;
      if (ws) ws.close();
    };
    // stop closes the socket (1000) and cancels any retry: no reconnect follows.
    out.stop = function () {
      var s = ws;
      ws = null; out.connected = false;
      clearTimeout(timer); timer = null; clearInterval(ping);
      if (s) try { s.close(1000); } catch (e) {}
    };

    function sendEntry(e) { if (out.connected && !e.wait) out.send(e.f); }
    function retry() {
      if (timer || !enabled()) return;
      var d = Math.random() * Math.min(CAP_MS, BASE_MS * Math.pow(2, Math.min(attempt++, 16)));
      timer = setTimeout(out.connect, d);
    }
    window.addEventListener('online', function () { if (!ws && enabled()) out.connect(); });
    return out;
  };
})();
