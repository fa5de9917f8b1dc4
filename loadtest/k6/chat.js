// chat.js: agents (console.js) and visitors (widget.js) together, so chats are
// answered end to end.
//
//   agents:   AGENTS constant VUs, online AGENT_LEAD before the visitors arrive and
//             until the visitors' scenario (and its GRACE) is over.
//   visitors: ramping to VUS over RAMP, held until DURATION, GRACE for the last
//             iterations to finish. OFFLINE_SHARE of them go to a paused site that
//             setup() creates (offline form), LINGER_SHARE only watch the status.
//
// setup() logs in as the owner (OWNER_EMAIL, OWNER_PASSWORD), finds SITE (default: the
// demo site), creates the agents and the paused site; teardown() deletes them.
//
//   k6 run -e OWNER_PASSWORD=... -e VUS=50 -e AGENTS=5 -e DURATION=30s loadtest/k6/chat.js
import { api, cfg, errorThresholds, ownerToken, resolveSite, runID } from './lib.js';
import { agent, agentThresholds, createAgents, deleteAgents } from './console.js';
import { visitor, visitorThresholds } from './widget.js';

export { agent, visitor };

const agentSeconds = cfg.agentLead + cfg.duration + cfg.grace;
const stages = [{ duration: `${cfg.ramp}s`, target: cfg.vus }];
if (cfg.duration > cfg.ramp) stages.push({ duration: `${cfg.duration - cfg.ramp}s`, target: cfg.vus });

const counts = {
  chats_assigned: ['count>0'],
  chats_completed: ['count>0'],
  agent_replies: ['count>0'],
};
if (cfg.offlineShare > 0) counts.offline_sent = ['count>0'];

export const options = {
  scenarios: {
    agents: {
      executor: 'constant-vus',
      exec: 'agent',
      vus: cfg.agents,
      duration: `${agentSeconds}s`,
      gracefulStop: '5s',
    },
    visitors: {
      executor: 'ramping-vus',
      exec: 'visitor',
      startTime: `${cfg.agentLead}s`,
      startVUs: 0,
      stages,
      gracefulRampDown: `${cfg.grace}s`,
      gracefulStop: `${cfg.grace}s`,
    },
  },
  thresholds: Object.assign({
    checks: ['rate>0.99'],
    frame_errors: ['rate<0.01'],
  }, counts, visitorThresholds(), agentThresholds(), errorThresholds()),
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max', 'count'],
};

export function setup() {
  const token = ownerToken();
  const site = resolveSite(token);
  const run = runID();
  const agents = createAgents(token, site, cfg.agents, run);
  let offlineSite = '';
  if (cfg.offlineShare > 0) {
    offlineSite = api('POST', '/sites', {
      name: `k6 paused ${run}`,
      mode: 'offline',
      offline_form: { enabled: true, fields: [{ name: 'order', label: 'Order number', type: 'number', required: true }] },
    }, token, 201).id;
  }
  return { token, site, agents, offlineSite, agentSeconds, visitorSeconds: cfg.duration + cfg.grace };
}

export function teardown(data) {
  deleteAgents(data.token, data.agents);
  if (data.offlineSite) {
    try {
      api('DELETE', `/sites/${data.offlineSite}`, null, data.token, 204);
    } catch (e) {
      console.warn(`teardown: ${e}`);
    }
  }
}
