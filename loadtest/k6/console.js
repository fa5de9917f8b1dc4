// console.js: agents behaving like the agent console (docs/protocol.md §6, agent).
//
// setup() logs in as the owner and creates AGENTS agent accounts for SITE through the
// API (POST /api/v1/agents, max_chats MAX_CHATS); teardown() deletes them. Each VU is
// one agent: it logs in (POST /api/v1/login, once per VU), connects /ws/agent, sends
// hello {token}, goes online (presence.set), takes every chat.assigned, answers each
// visitor message after REPLY_MS (±50%) and ends the chat once it has answered the
// chat.start text and MESSAGES more messages. The socket stays until the scenario
// ends; a socket lost earlier is reconnected (agent_reconnects).
//
// Alone, this script only brings agents online (visitors come from elsewhere, e.g. the
// demo page); chat.js runs it together with widget.js.
//
//   k6 run -e OWNER_PASSWORD=... loadtest/k6/console.js
import { WebSocket } from 'k6/websockets';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { setInterval, setTimeout } from 'k6/timers';
import { api, cfg, errorThresholds, fail, jitter, login, m, ownerToken, parseAt, resolveSite, Session, runID, WS_URL } from './lib.js';

export function agentThresholds() {
  const p99 = `p(99)<${cfg.p99Ms}`;
  return {
    agent_welcome_time: [p99],
    presence_time: [p99],
    agent_ack_time: [p99],
    agent_end_time: [p99],
    delivery_to_agent: [p99],
    agent_reconnects: ['count<1'],
    'http_req_failed{name:POST /api/v1/login}': ['rate<0.01'],
  };
}

export const options = {
  scenarios: {
    agents: {
      executor: 'constant-vus',
      exec: 'agent',
      vus: cfg.agents,
      duration: `${cfg.duration}s`,
      gracefulStop: '5s',
    },
  },
  thresholds: Object.assign({
    checks: ['rate>0.99'],
    frame_errors: ['rate<0.01'],
  }, agentThresholds(), errorThresholds()),
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max', 'count'],
};

// createAgents makes n agent accounts serving site; it answers [{id, email, password}].
export function createAgents(token, site, n, run) {
  const agents = [];
  for (let i = 0; i < n; i++) {
    const email = `k6-${run}-agent${i + 1}@example.com`;
    const password = `k6-${run}-${Math.random().toString(36).slice(2, 12)}`;
    const a = api('POST', '/agents', {
      email, password, name: `k6 agent ${i + 1}`, role: 'agent', sites: [site], max_chats: cfg.maxChats,
    }, token, 201);
    agents.push({ id: a.id, email, password });
  }
  return agents;
}

export function deleteAgents(token, agents) {
  for (const a of agents || []) {
    try {
      api('DELETE', `/agents/${a.id}`, null, token, 204);
    } catch (e) {
      console.warn(`teardown: ${e}`);
    }
  }
}

export function setup() {
  const token = ownerToken();
  const site = resolveSite(token);
  const agents = createAgents(token, site, cfg.agents, runID());
  return { token, site, agents, agentSeconds: cfg.duration };
}

export function teardown(data) {
  deleteAgents(data.token, data.agents);
}

// The agent account of this VU and its token, kept across iterations (reconnects).
let me = null;

// agent is one agent session (one iteration): it lasts until the scenario's end.
// data: {agents, agentSeconds}.
export function agent(data) {
  const endAt = exec.scenario.startTime + data.agentSeconds * 1000 - 500;
  if (me === null) {
    me = Object.assign({}, data.agents[exec.scenario.iterationInTest % data.agents.length]);
  } else {
    if (Date.now() > endAt - 1000) {
      sleep(Math.max((endAt - Date.now()) / 1000, 0) + 1);
      return;
    }
    m.agentReconnects.add(1);
    sleep(1 + Math.random()); // back off before reconnecting
  }
  if (!me.token) me.token = login(me.email, me.password).token;

  const tag = `${me.email.split('@')[0]}-${exec.vu.iterationInScenario}`;
  const ws = new WebSocket(`${WS_URL}/ws/agent`, null, { tags: { name: 'ws /ws/agent' } });
  const sess = new Session(ws, cfg.agentGapMs, tag);
  const { out, pending } = sess;
  const nextID = (p) => sess.nextID(p);
  const later = (ms, fn) => sess.later(ms, fn);
  const convs = {}; // id -> {visitorTexts, answered, ending}
  let presenceSentAt = 0;
  let helloSentAt = 0;
  let pingSentAt = 0;

  const finish = () => sess.finish();

  const request = (type, frame) => sess.request(type, frame);

  // answer schedules the replies a conversation is owed, then its end.
  function answer(cid) {
    const c = convs[cid];
    if (!c || c.ending) return;
    while (c.scheduled < c.visitorTexts) {
      c.scheduled++;
      const n = c.scheduled;
      later(jitter(cfg.replyMs), () => {
        if (sess.closing || !convs[cid]) return;
        out.send({ type: 'typing', conversation_id: cid, state: false });
        request('message', { conversation_id: cid, text: `k6 answer ${n}` });
        m.agentReplies.add(1);
        c.answered++;
        if (c.answered >= cfg.messages + 1 && !c.ending) {
          c.ending = true;
          later(jitter(cfg.replyMs), () => {
            if (sess.closing || !convs[cid]) return;
            // chat.ended is matched by conversation_id: it also comes when the visitor ends.
            out.send({ type: 'chat.end', id: nextID('end'), conversation_id: cid }, (t) => { c.endSentAt = t; });
          });
        }
      });
    }
  }

  function track(conv) {
    if (!conv || convs[conv.id]) return;
    const texts = (conv.messages || []).filter((x) => x.from === 'visitor').length;
    const answered = (conv.messages || []).filter((x) => x.from === 'agent').length;
    convs[conv.id] = { visitorTexts: texts, scheduled: answered, answered, ending: false, endSentAt: 0 };
    answer(conv.id);
  }

  function onFrame(f, now) {
    const p = f.re ? pending.take(f.re) : null;
    if (p && f.type !== 'error') m.frameErrors.add(false, { frame: p.kind });
    switch (f.type) {
      case 'welcome':
        m.agentWelcome.add(now - helloSentAt);
        m.frameErrors.add(false, { frame: 'hello' });
        helloSentAt = 0;
        check(f, { 'agent welcome: agent and sites': (x) => x.agent && x.agent.id === me.id && Array.isArray(x.sites) });
        // presence.set is answered by a presence frame without re, and not at all
        // when the presence is already {online, manual}: only then is it timed.
        if (f.presence && f.presence.status === 'online' && f.presence.reason === 'manual') {
          out.send({ type: 'presence.set', id: nextID('presence'), status: 'online' });
        } else {
          out.send({ type: 'presence.set', id: nextID('presence'), status: 'online' }, (t) => { presenceSentAt = t; });
        }
        for (const c of f.conversations || []) track(c.conversation);
        break;
      case 'presence':
        if (presenceSentAt > 0 && f.status === 'online') {
          m.presence.add(now - presenceSentAt);
          m.frameErrors.add(false, { frame: 'presence.set' });
          presenceSentAt = 0;
        }
        if (f.status !== 'online') fail('not_online', `${f.status} ${f.reason}`);
        break;
      case 'chat.assigned':
        m.assignedToAgent.add(1);
        check(f, { 'agent chat.assigned: conversation and visitor': (x) => x.conversation && x.visitor && x.conversation.state === 'open' });
        // The messages it carries (the chat.start text, more when it was queued) are
        // history, not deliveries: a queued chat's would count its time in the queue.
        track(f.conversation);
        break;
      case 'message': {
        if (f.from !== 'visitor') break; // our own answers come back to all our sockets
        const at = parseAt(f.at);
        if (!Number.isNaN(at)) m.toAgent.add(Math.max(now - at, 0));
        const c = convs[f.conversation_id];
        if (!c) {
          fail('unknown_conversation', f.conversation_id);
          break;
        }
        c.visitorTexts++;
        out.send({ type: 'typing', conversation_id: f.conversation_id, state: true });
        answer(f.conversation_id);
        break;
      }
      case 'message.ack':
        if (p) m.agentAck.add(now - p.sentAt);
        check(f, { 'agent message.ack: seq': (x) => typeof x.seq === 'number' && x.seq > 0 });
        break;
      case 'chat.ended': {
        const c = convs[f.conversation_id];
        if (!c) break;
        delete convs[f.conversation_id];
        if (f.by === 'agent') m.agentEnds.add(1);
        if (c.endSentAt > 0) {
          m.agentEnd.add(now - c.endSentAt);
          m.frameErrors.add(false, { frame: 'chat.end' });
        }
        break;
      }
      case 'pong':
        if (pingSentAt > 0) m.pong.add(now - pingSentAt, { side: 'agent' });
        pingSentAt = 0;
        break;
      case 'error':
        fail(f.code || 'unknown', `${f.re || ''} ${f.message || ''} ${f.field || ''}`);
        if (p) m.frameErrors.add(true, { frame: p.kind });
        break;
      case 'force_logout':
        fail('force_logout', '');
        me.token = null;
        break;
      default:
        // site.status, queue, typing, shift...: nothing to measure.
        break;
    }
  }

  ws.onopen = () => {
    // welcome carries no re: it answers the hello by being the first frame.
    out.send({ type: 'hello', token: me.token }, (t) => { helloSentAt = t; });
    sess.ticker = setInterval(() => {
      const now = Date.now();
      pending.sweep(now);
      if (helloSentAt > 0 && now - helloSentAt > cfg.timeoutMs) {
        fail('timeout', 'hello');
        m.frameErrors.add(true, { frame: 'hello' });
        finish();
      }
      for (const cid of Object.keys(convs)) {
        const c = convs[cid];
        if (c.endSentAt > 0 && now - c.endSentAt > cfg.timeoutMs) {
          fail('timeout', `chat.end ${cid}`);
          m.frameErrors.add(true, { frame: 'chat.end' });
          delete convs[cid];
        }
      }
      if (presenceSentAt > 0 && now - presenceSentAt > cfg.timeoutMs) {
        fail('timeout', 'presence.set');
        m.frameErrors.add(true, { frame: 'presence.set' });
        presenceSentAt = 0;
      }
    }, 1000);
    sess.pinger = setInterval(() => {
      if (pingSentAt === 0) out.send({ type: 'ping' }, (t) => { pingSentAt = t; });
    }, cfg.pingMs);
    later(Math.max(endAt - Date.now(), 0), finish);
  };
  ws.onping = () => m.serverPings.add(1);
  sess.receive(`agent ${tag}`, onFrame, fail, m.errors, (e) => {
    if (e.code === 4001 || e.code === 4002) me.token = null;
  });
}

export default agent;
