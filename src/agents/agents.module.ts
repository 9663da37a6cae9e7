import { defineModule } from '../app/module.js';
import { Agent } from './agent.entity.js';
import { AGENT_ERROR_CODES } from './agent.errors.js';
import { AgentService } from './agent.service.js';

/** Edge agents: heartbeats (`GET /agent/heartbeat`, scope agent) and the list of agents and when each was last seen. */
export const agentsModule = defineModule({
  name: 'agents',
  entities: [Agent],
  services: ({ db }) => ({ agents: new AgentService(db) }),
  topics: [],
  feeds: [],
  errors: AGENT_ERROR_CODES,
});
