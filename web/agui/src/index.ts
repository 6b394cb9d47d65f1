export { AgentBridgeAgent, type AgentBridgeAgentConfig } from "./agent.js";
export { RunTranslator } from "./translate.js";
export { RunQueue } from "./runqueue.js";
