// widget.js: visitors behaving like the embedded widget (docs/protocol.md §6, visitor).
//
// Each iteration is one visitor with a new identity: it connects to
// /ws/visitor?site=SITE, sends hello, gets welcome, keeps the socket open watching
// status frames (and app-level pings, as the widget does; the server's WebSocket pings
// are answered by k6), then either
//   - only watches (LINGER_SHARE of the visitors, for LINGER_S seconds), or
//   - starts a chat when the site is online: chat.start, chat.assigned or chat.queued
//     (then the chat.assigned push), MESSAGES more messages each answered by an agent,
//     until the agent ends the chat; or
//   - fills the offline form when the site is offline (or chat.start answers
//     chat.offline): offline.submit, offline.received.
// Frames are paced (VISITOR_GAP_MS, default 120 ms) under the 10 frames/s limit.
//
// Alone, this script has no agents: the site is offline (no_agents) and visitors fill
// the offline form unless agents are online elsewhere. chat.js runs it with agents.
//
//   k6 run -e OWNER_PASSWORD=... loadtest/k6/widget.js          (SITE: the demo site)
//   k6 run -e SITE=... loadtest/k6/widget.js                     (no owner needed)
import { WebSocket } from 'k6/websockets';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { setInterval, setTimeout } from 'k6/timers';
import { cfg, errorThresholds, fail, jitter, m, ownerToken, parseAt, resolveSite, Session, WS_URL } from './lib.js';

// visitorThresholds are the pass/fail criteria of the visitor side.
export function visitorThresholds() {
  const p99 = `p(99)<${cfg.p99Ms}`;
  return {
    visitor_welcome_time: [p99],
    chat_start_time: [p99],
    visitor_ack_time: [p99],
    offline_received_time: [p99],
    delivery_to_visitor: [p99],
    pong_time: [p99],
    // An agent answers after REPLY_MS ±50%, so the answer may take 1.5 × REPLY_MS more.
    reply_time: [`p(99)<${cfg.p99Ms + Math.ceil(1.5 * cfg.replyMs) + cfg.agentGapMs}`],
    ws_connecting: [p99],
  };
}

export const options = {
  scenarios: {
    visitors: {
      executor: 'ramping-vus',
      exec: 'visitor',
      startVUs: 0,
      stages: [{ duration: `${cfg.ramp}s`, target: cfg.vus }].concat(
        cfg.duration > cfg.ramp ? [{ duration: `${cfg.duration - cfg.ramp}s`, target: cfg.vus }] : []),
      gracefulRampDown: `${cfg.grace}s`,
      gracefulStop: `${cfg.grace}s`,
    },
  },
  thresholds: Object.assign({
    checks: ['rate>0.99'],
    frame_errors: ['rate<0.01'],
    offline_sent: ['count>0'],
  }, visitorThresholds(), errorThresholds()),
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max', 'count'],
};

export function setup() {
  if (cfg.site) return { site: cfg.site, visitorSeconds: cfg.duration + cfg.grace };
  return { site: resolveSite(ownerToken()), visitorSeconds: cfg.duration + cfg.grace };
}

const PAGE = 'http://127.0.0.1/k6/pricing';

function fillFields(form) {
  const out = {};
  for (const f of (form && form.fields) || []) {
    switch (f.type) {
      case 'email': out[f.name] = 'k6-field@example.com'; break;
      case 'tel': out[f.name] = '+33 1 00 00 00 00'; break;
      case 'number': out[f.name] = 42; break;
      case 'checkbox': out[f.name] = true; break;
      case 'textarea': out[f.name] = 'k6 load test\nsecond line'; break;
      default: out[f.name] = 'k6';
    }
  }
  return out;
}

// visitor is one widget session (one iteration). data: {site, offlineSite?, visitorSeconds}.
export function visitor(data) {
  sleep(Math.random()); // visitors do not all arrive on the same tick
  const r = Math.random();
  const toOffline = data.offlineSite && r < cfg.offlineShare;
  const lingers = !toOffline && r < cfg.offlineShare + cfg.lingerShare;
  const site = toOffline ? data.offlineSite : data.site;
  const tag = `${exec.vu.idInTest}-${exec.vu.iterationInScenario}`;
  // Everything must end before the scenario's graceful stop cuts it.
  const endAt = exec.scenario.startTime + data.visitorSeconds * 1000 - 2000;

  const ws = new WebSocket(`${WS_URL}/ws/visitor?site=${encodeURIComponent(site)}`, null, { tags: { name: 'ws /ws/visitor' } });
  const sess = new Session(ws, cfg.visitorGapMs, tag);
  const { out, pending } = sess;
  const nextID = (p) => sess.nextID(p);
  const later = (ms, fn) => sess.later(ms, fn);

  let status = null;
  let form = null;
  let inChat = false;
  let queuedAt = 0;
  let startSentAt = 0;
  let awaitingReply = false;
  let lastSentAt = 0;
  let sent = 0; // messages after the chat.start text
  let replies = 0;
  let pingSentAt = 0;
  let helloSentAt = 0;
  let sawServerPing = false;
  let lingerStart = 0;

  const finish = () => sess.finish();

  function request(type, frame) {
    return sess.request(type, frame, (t) => {
      if (type === 'chat.start') startSentAt = t;
      if (type === 'message') lastSentAt = t;
    });
  }

  function startChat() {
    if (sess.closing) return;
    if (!status || !status.online) return offlineForm('');
    request('chat.start', { text: 'Hello, is anyone there? (k6)', name: `k6 visitor ${tag}`, email: `k6-${tag}@example.com` });
  }

  function sendNext() {
    if (sess.closing || !inChat) return;
    if (sent >= cfg.messages) {
      // The agent ends the chat after its last answer; a visitor left waiting ends it.
      later(cfg.timeoutMs, () => {
        if (sess.closing || !inChat) return;
        fail('timeout', 'agent did not end the chat');
        m.frameErrors.add(true, { frame: 'chat.end' });
        out.send({ type: 'chat.end', id: nextID('end') });
        later(1000, finish);
      });
      return;
    }
    // Typing as the widget does: true while typing, false just before the message.
    out.send({ type: 'typing', state: true });
    later(jitter(cfg.thinkMs), () => {
      if (sess.closing || !inChat) return;
      out.send({ type: 'typing', state: false });
      sent++;
      awaitingReply = true;
      request('message', { text: `k6 question ${sent} from ${tag}` });
    });
  }

  function offlineForm(prefill) {
    if (sess.closing) return;
    if (form && form.enabled === false) {
      // The widget hides itself: nothing to do but leave.
      later(jitter(cfg.thinkMs), finish);
      return;
    }
    later(jitter(cfg.thinkMs), () => {
      request('offline.submit', {
        name: `k6 visitor ${tag}`,
        email: `k6-${tag}@example.com`,
        message: prefill || `k6 offline message from ${tag}`,
        fields: fillFields(form),
      });
    });
  }

  function onFrame(f, now) {
    const p = f.re ? pending.take(f.re) : null;
    if (p && f.type !== 'error') m.frameErrors.add(false, { frame: p.kind });
    switch (f.type) {
      case 'welcome': {
        m.welcome.add(now - helloSentAt);
        m.frameErrors.add(false, { frame: 'hello' });
        helloSentAt = 0;
        status = f.status;
        form = f.offline_form;
        check(f, {
          'welcome: visitor_token and status': (x) => typeof x.visitor_token === 'string' && x.status && typeof x.status.online === 'boolean',
        });
        if (lingers) {
          lingerStart = now;
          const stay = Math.min(cfg.lingerS * 1000, endAt - now);
          later(Math.max(stay, 0), () => {
            // The server pings every socket every 25 s (one round for all).
            if (now + cfg.lingerS * 1000 <= endAt && cfg.lingerS >= 27) {
              check(sawServerPing, { 'linger: a server ping within 27 s': (x) => x });
            }
            finish();
          });
        } else if (toOffline || !status.online) {
          offlineForm('');
        } else {
          later(jitter(cfg.thinkMs), startChat);
        }
        break;
      }
      case 'status':
        m.statusFrames.add(1);
        status = f.status;
        break;
      case 'chat.assigned':
        check(f, { 'chat.assigned: conversation open': (x) => x.conversation && x.conversation.state === 'open' });
        if (p) {
          m.chatStart.add(now - p.sentAt);
        } else if (queuedAt > 0) {
          m.queueWait.add(now - queuedAt);
        }
        queuedAt = 0;
        m.chatsAssigned.add(1);
        inChat = true;
        awaitingReply = true; // the chat.start text
        break;
      case 'chat.queued':
        if (p) m.chatStart.add(now - p.sentAt);
        m.chatsQueued.add(1);
        queuedAt = now;
        inChat = false;
        break;
      case 'chat.offline':
        // The answer to chat.start (re), or a queued chat missed (no re).
        if (p) m.chatStart.add(now - p.sentAt);
        m.chatsOffline.add(1, { missed: p ? 'no' : 'yes' });
        inChat = false;
        queuedAt = 0;
        offlineForm((f.prefill && f.prefill.text) || '');
        break;
      case 'message': {
        if (f.from !== 'agent') break; // our own messages come back too (other tabs)
        const at = parseAt(f.at);
        if (!Number.isNaN(at)) m.toVisitor.add(Math.max(now - at, 0));
        if (!awaitingReply) break;
        awaitingReply = false;
        replies++;
        if (sent === 0) m.firstReply.add(now - startSentAt);
        else m.reply.add(now - lastSentAt);
        later(jitter(cfg.thinkMs), sendNext);
        break;
      }
      case 'message.ack':
        if (p) m.visitorAck.add(now - p.sentAt);
        check(f, { 'message.ack: seq': (x) => typeof x.seq === 'number' && x.seq > 0 });
        break;
      case 'chat.ended':
        inChat = false;
        if (f.by === 'agent') {
          const ok = check(replies, { 'chat: every message answered before the agent ended it': (x) => x === cfg.messages + 1 });
          if (ok) m.chatsCompleted.add(1);
        }
        later(jitter(cfg.thinkMs), finish);
        break;
      case 'offline.received':
        if (p) m.offline.add(now - p.sentAt);
        m.offlineSent.add(1);
        check(f, { 'offline.received: message_id': (x) => typeof x.message_id === 'string' && x.message_id !== '' });
        later(jitter(cfg.thinkMs), finish);
        break;
      case 'pong':
        if (pingSentAt > 0) m.pong.add(now - pingSentAt, { side: 'visitor' });
        pingSentAt = 0;
        break;
      case 'error':
        fail(f.code || 'unknown', `${f.re || ''} ${f.message || ''} ${f.field || ''}`);
        if (p) m.frameErrors.add(true, { frame: p.kind });
        if (helloSentAt > 0 || (p && p.kind !== 'message')) later(500, finish); // hello, chat.start, offline.submit failed
        break;
      default:
        // closing_soon, queue.position, typing: nothing to measure.
        break;
    }
  }

  ws.onopen = () => {
    // welcome carries no re: it answers the hello by being the first frame.
    out.send({ type: 'hello', page: PAGE, lang: 'en', timezone: 'Europe/Paris' }, (t) => { helloSentAt = t; });
    sess.ticker = setInterval(() => {
      const now = Date.now();
      pending.sweep(now);
      if (helloSentAt > 0 && now - helloSentAt > cfg.timeoutMs) {
        fail('timeout', 'hello');
        m.frameErrors.add(true, { frame: 'hello' });
        finish();
      }
    }, 1000);
    // A visitor still busy (queued, chatting, waiting for an answer) when the scenario
    // ends leaves like a closed tab would, after ending its chat: counted as a timeout.
    later(Math.max(endAt + 200 - Date.now(), 0), () => {
      if (sess.closing) return;
      fail('timeout', 'visitor still busy at the end of the scenario');
      if (inChat || queuedAt > 0) out.send({ type: 'chat.end', id: nextID('end') });
      later(300, finish);
    });
    sess.pinger = setInterval(() => {
      if (pingSentAt === 0) out.send({ type: 'ping' }, (t) => { pingSentAt = t; });
    }, cfg.pingMs);
  };
  ws.onping = () => {
    m.serverPings.add(1);
    if (lingerStart > 0) sawServerPing = true;
  };
  sess.receive(`visitor ${tag}`, onFrame, fail, m.errors);
}

export default visitor;
