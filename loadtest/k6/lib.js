// Shared pieces of the k6 scripts: configuration from __ENV (loopback only), custom
// metrics, a paced sender that keeps a socket under the gateway's rate limit, and the
// few API calls the scripts make. See loadtest/README.md.
import http from 'k6/http';
import { sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { clearInterval, clearTimeout, setTimeout } from 'k6/timers';

// ---- configuration ----

function envInt(name, def, min, max) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name}=${raw}: want an integer from ${min} to ${max}`);
  }
  return n;
}

function envFloat(name, def, min, max) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${name}=${raw}: want a number from ${min} to ${max}`);
  }
  return n;
}

// seconds parses a k6-style duration ("30s", "2m", "1m30s", "45") into seconds.
function seconds(name, def, max) {
  const raw = (__ENV[name] || def).trim();
  let total = 0;
  let rest = raw;
  if (/^\d+$/.test(rest)) {
    total = Number(rest);
    rest = '';
  }
  const re = /^(\d+)(h|m|s)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) throw new Error(`${name}=${raw}: want a duration such as 30s, 2m or 1m30s`);
    total += Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2]];
    rest = rest.slice(m[0].length);
  }
  if (total < 1 || total > max) throw new Error(`${name}=${raw}: want 1s to ${max}s`);
  return total;
}

// loopbackBase checks that BASE_URL points at this machine: http(s) on localhost,
// 127.0.0.0/8 or ::1, nothing else. It answers the URL without a trailing slash.
export function loopbackBase(raw) {
  const m = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#\[\]@]+)(:\d{1,5})?\/?$/.exec(raw);
  if (!m) throw new Error(`BASE_URL=${raw}: want http(s)://host[:port] with no path`);
  const host = m[2].toLowerCase();
  let ok = host === 'localhost';
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) ok = v4.slice(1).every((x) => Number(x) <= 255);
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    ok = v6 === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(v6) || /^(0{1,4}:){1,6}:0{0,3}1$/.test(v6);
  }
  if (!ok) throw new Error(`BASE_URL=${raw}: only loopback hosts (localhost, 127.0.0.0/8, ::1) may be load tested`);
  return raw.replace(/\/$/, '');
}

export const BASE_URL = loopbackBase(__ENV.BASE_URL || 'http://127.0.0.1:8080');
export const WS_URL = BASE_URL.replace(/^http/, 'ws');
export const API = `${BASE_URL}/api/v1`;

export const cfg = {
  site: __ENV.SITE || '',
  ownerEmail: __ENV.OWNER_EMAIL || 'owner@example.com',
  ownerPassword: __ENV.OWNER_PASSWORD || '',
  vus: envInt('VUS', 50, 1, 2000), // visitors
  agents: envInt('AGENTS', 5, 1, 200),
  duration: seconds('DURATION', '30s', 3600), // how long visitors keep arriving
  ramp: seconds('RAMP', '5s', 3600), // visitors ramp up from 0 over this
  agentLead: seconds('AGENT_LEAD', '3s', 60), // agents come online this long before visitors
  grace: seconds('GRACE', '20s', 300), // visitors' in-flight iterations may finish within this
  maxChats: envInt('MAX_CHATS', 10, 1, 100), // per agent account
  messages: envInt('MESSAGES', 3, 0, 50), // visitor messages after the chat.start text
  offlineShare: envFloat('OFFLINE_SHARE', 0.15, 0, 1), // visitors sent to the paused site (chat.js)
  lingerShare: envFloat('LINGER_SHARE', 0.2, 0, 1), // visitors that only watch the status
  lingerS: envInt('LINGER_S', 27, 1, 600), // how long they watch (server pings every 25 s)
  pingMs: envInt('PING_MS', 10000, 1000, 600000), // app-level ping period (the widget: 25 s)
  replyMs: envInt('REPLY_MS', 300, 0, 60000), // agent think time before a reply (±50%)
  thinkMs: envInt('THINK_MS', 500, 0, 60000), // visitor think time between frames (±50%)
  timeoutMs: envInt('TIMEOUT_MS', 10000, 100, 600000), // an answer later than this is an error
  p99Ms: envInt('P99_MS', 500, 1, 600000), // threshold on server answer times (p99)
  visitorGapMs: envInt('VISITOR_GAP_MS', 120, 101, 10000), // >= 100 ms: under 10 frames/s
  agentGapMs: envInt('AGENT_GAP_MS', 25, 21, 10000), // >= 20 ms: under 50 frames/s
};

if (cfg.ramp > cfg.duration) cfg.ramp = cfg.duration;

// ---- metrics ----

export const m = {
  // Visitors
  welcome: new Trend('visitor_welcome_time', true), // hello sent -> welcome
  chatStart: new Trend('chat_start_time', true), // chat.start sent -> assigned/queued/offline
  queueWait: new Trend('queue_wait_time', true), // chat.queued -> chat.assigned push
  visitorAck: new Trend('visitor_ack_time', true), // message sent -> message.ack
  firstReply: new Trend('first_reply_time', true), // chat.start sent -> first agent message
  reply: new Trend('reply_time', true), // message sent -> agent's answer (includes REPLY_MS)
  toVisitor: new Trend('delivery_to_visitor', true), // agent message stored (at) -> visitor receipt
  offline: new Trend('offline_received_time', true), // offline.submit sent -> offline.received
  pong: new Trend('pong_time', true), // {"type":"ping"} sent -> pong (both sides)
  chatsAssigned: new Counter('chats_assigned'),
  chatsQueued: new Counter('chats_queued'),
  chatsOffline: new Counter('chats_offline'), // chat.start answered chat.offline
  chatsCompleted: new Counter('chats_completed'), // every message answered, ended by the agent
  offlineSent: new Counter('offline_sent'),
  statusFrames: new Counter('status_frames'),
  serverPings: new Counter('server_pings'), // WebSocket pings from the server (answered by k6)
  // Agents
  agentWelcome: new Trend('agent_welcome_time', true), // hello sent -> welcome
  presence: new Trend('presence_time', true), // presence.set sent -> presence frame
  agentAck: new Trend('agent_ack_time', true), // message sent -> message.ack
  agentEnd: new Trend('agent_end_time', true), // chat.end sent -> chat.ended
  toAgent: new Trend('delivery_to_agent', true), // visitor message stored (at) -> agent receipt
  assignedToAgent: new Counter('agent_chats_assigned'),
  agentReplies: new Counter('agent_replies'),
  agentEnds: new Counter('agent_chats_ended'),
  agentReconnects: new Counter('agent_reconnects'),
  // Both
  errors: new Counter('ws_errors'), // tag code: error frame code, timeout, close_NNNN, ws_error
  frameErrors: new Rate('frame_errors'), // per request frame: answered with an error or not at all
};

// The error codes of docs/protocol.md#websocket-frames plus this script's own (timeout, close, ws_error).
export const ERROR_CODES = ['bad_request', 'unknown_type', 'unauthorized', 'forbidden', 'not_found', 'conflict',
  'rate_limited', 'unavailable', 'internal', 'timeout', 'close', 'ws_error'];

// errorThresholds shows ws_errors per code in the summary (a sub-metric appears only
// with a threshold): rate_limited and internal must not happen; the others are shown
// and bounded by frame_errors.
export function errorThresholds() {
  const t = {};
  for (const c of ERROR_CODES) {
    t[`ws_errors{code:${c}}`] = c === 'rate_limited' || c === 'internal' ? ['count<1'] : ['count>=0'];
  }
  return t;
}

export function fail(code, detail) {
  m.errors.add(1, { code });
  if (__ENV.DEBUG) console.warn(`error ${code}: ${detail || ''}`);
}

// ---- helpers ----

// jitter answers ms ±50%.
export function jitter(ms) {
  return Math.round(ms * (0.5 + Math.random()));
}

// parseAt reads an RFC 3339 UTC timestamp with up to nanoseconds into epoch ms.
export function parseAt(s) {
  if (typeof s !== 'string') return NaN;
  const mm = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s);
  if (!mm) return NaN;
  const frac = mm[2] ? Number(`0.${mm[2]}`) * 1000 : 0;
  return Date.parse(`${mm[1]}Z`) + frac;
}

// Paced sends frames on a socket no faster than one per gapMs, in order, so a
// client never meets the gateway's per-socket limit (visitor 10/s, agent 50/s).
export class Paced {
  constructor(ws, gapMs) {
    this.ws = ws;
    this.gap = gapMs;
    this.q = [];
    this.last = 0;
    this.timer = null;
    this.closed = false;
  }

  // send queues obj; onSent(t) is called with the time it actually went out.
  send(obj, onSent) {
    if (this.closed) return;
    this.q.push([obj, onSent]);
    this.flush();
  }

  flush() {
    if (this.timer !== null || this.closed) return;
    while (this.q.length > 0) {
      const wait = this.last + this.gap - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.flush();
        }, wait);
        return;
      }
      const [obj, onSent] = this.q.shift();
      if (this.ws.readyState !== 1) {
        this.stop();
        return;
      }
      this.last = Date.now();
      if (onSent) onSent(this.last);
      this.ws.send(JSON.stringify(obj));
    }
  }

  stop() {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.q = [];
  }
}

// Pending tracks request frames by id until their answer (re) comes, and fails those
// that wait longer than cfg.timeoutMs.
export class Pending {
  constructor() {
    this.items = {};
  }

  add(id, kind) {
    this.items[id] = { kind, sentAt: 0 };
    return (t) => {
      if (this.items[id]) this.items[id].sentAt = t;
    };
  }

  // take answers the request that re answers (and forgets it), or null.
  take(re) {
    const it = re ? this.items[re] : undefined;
    if (!it) return null;
    delete this.items[re];
    return it;
  }

  // sweep fails requests older than the timeout.
  sweep(now) {
    for (const id of Object.keys(this.items)) {
      const it = this.items[id];
      if (it.sentAt > 0 && now - it.sentAt > cfg.timeoutMs) {
        delete this.items[id];
        fail('timeout', `${it.kind} ${id}`);
        m.frameErrors.add(true, { frame: it.kind });
      }
    }
  }

  // abandon forgets every request still waiting (the socket is closing).
  abandon() {
    this.items = {};
  }
}

// ---- HTTP API ----

function jsonParams(token, name) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return { headers, tags: { name } };
}

// api makes one API call and answers the parsed body; it throws on an unexpected status.
export function api(method, path, body, token, want) {
  const res = http.request(method, `${API}${path}`, body === null ? null : JSON.stringify(body),
    jsonParams(token, `${method} /api/v1${path.replace(/\/[0-9a-zA-Z_-]{16,}/g, '/{id}')}`));
  if (res.status !== (want || 200)) {
    throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
  }
  return res.body ? res.json() : null;
}

// login answers {token, agent}. The gateway limits logins per address (burst 10, then
// 20 a minute) and per e-mail: a 429 waits for Retry-After, up to about 90 s in all.
export function login(email, password) {
  const deadline = Date.now() + 90000;
  for (;;) {
    const params = jsonParams('', 'POST /api/v1/login');
    params.responseCallback = http.expectedStatuses(200, 429); // a 429 is waited out, not a failure
    const res = http.post(`${API}/login`, JSON.stringify({ email, password }), params);
    if (res.status === 200) return res.json();
    if (res.status === 429 && Date.now() < deadline) {
      const wait = Number(res.headers['Retry-After']) || 3;
      sleep(Math.min(wait, 10) * (0.5 + Math.random() / 2));
      continue;
    }
    throw new Error(`login ${email}: ${res.status} ${res.body}`);
  }
}

export function ownerToken() {
  if (!cfg.ownerPassword) throw new Error('OWNER_PASSWORD is required (the owner creates the agent accounts)');
  return login(cfg.ownerEmail, cfg.ownerPassword).token;
}

// resolveSite answers SITE, else the demo site (named "Demo site"), else the first site.
export function resolveSite(token) {
  if (cfg.site) return cfg.site;
  const sites = api('GET', '/sites', null, token).sites || [];
  if (sites.length === 0) throw new Error('no site: set SITE or start the gateway with --demo');
  const demo = sites.find((s) => s.name === 'Demo site');
  return (demo || sites[0]).id;
}

// runID tells this run's accounts and sites apart from those of other runs.
export function runID() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

// Session is one k6 WebSocket with its paced sender, its requests awaiting an answer
// and its timers. finish() closes it once; closed() is what an onclose handler calls
// (the socket is gone: stop everything, say whether we had asked for it).
export class Session {
  constructor(ws, gapMs, tag) {
    this.ws = ws;
    this.out = new Paced(ws, gapMs);
    this.pending = new Pending();
    this.tag = tag;
    this.timers = [];
    this.seq = 0;
    this.closing = false;
    this.ticker = null;
    this.pinger = null;
  }

  nextID(prefix) {
    this.seq++;
    return `${prefix}-${this.tag}-${this.seq}`;
  }

  later(ms, fn) {
    this.timers.push(setTimeout(fn, ms));
  }

  stopTimers() {
    this.out.stop();
    for (const t of this.timers) clearTimeout(t);
    if (this.ticker !== null) clearInterval(this.ticker);
    if (this.pinger !== null) clearInterval(this.pinger);
  }

  finish() {
    if (this.closing) return;
    this.closing = true;
    this.pending.abandon();
    this.stopTimers();
    this.ws.close();
  }

  // closed returns true when the close was not ours (the server closed the socket).
  closed() {
    const unexpected = !this.closing;
    this.closing = true;
    this.stopTimers();
    return unexpected;
  }

  // receive wires the socket's handlers: onFrame(frame, receipt time) for every
  // frame, fail(code, detail) for one that is not JSON and for socket errors, and a
  // close the session did not ask for counted in errors (then onServerClose(event),
  // when given). who names the socket in debug output.
  receive(who, onFrame, fail, errors, onServerClose) {
    this.ws.onmessage = (e) => {
      const now = e.timestamp || Date.now(); // receipt time, sub-millisecond
      let f;
      try {
        f = JSON.parse(e.data);
      } catch (err) {
        fail('bad_frame', String(e.data).slice(0, 100));
        return;
      }
      onFrame(f, now);
    };
    this.ws.onerror = (e) => fail('ws_error', e.error);
    this.ws.onclose = (e) => {
      if (!this.closed()) return;
      errors.add(1, { code: 'close', close_code: String(e.code || 0) });
      if (onServerClose) onServerClose(e);
      if (__ENV.DEBUG) console.warn(`${who}: closed by the server ${e.code} ${e.reason}`);
    };
  }

  // request sends a frame of type with a fresh id, tracked until its answer;
  // onSent(t) runs when it actually leaves. It returns the id.
  request(type, frame, onSent) {
    const id = this.nextID(type);
    frame.type = type;
    frame.id = id;
    const done = this.pending.add(id, type);
    this.out.send(frame, (t) => {
      done(t);
      if (onSent) onSent(t);
    });
    return id;
  }
}
