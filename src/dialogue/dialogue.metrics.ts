import { Counter, Histogram, type Registry } from 'prom-client';
import type { DialogueMetrics } from './dialogue.service.js';

/** Dialogue turns in Prometheus: how each was answered, hand-offs, and time to answer. */
export function dialogueMetrics(registry: Registry): DialogueMetrics {
  const turns = new Counter({
    name: 'answergraph_dialogue_turns_total',
    help: 'Bot turns by how they were answered (smalltalk, process, rule, fact, passage, handoff, none) and whether they escalated.',
    labelNames: ['kind', 'escalated'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'answergraph_dialogue_turn_duration_seconds',
    help: 'Time from receiving a customer message to storing and publishing the reply.',
    labelNames: ['kind'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const stage = new Histogram({
    name: 'answergraph_dialogue_turn_stage_duration_seconds',
    help: 'Where a bot turn spends its time: understand (embedding, intent, entity linking), respond (policy and retrieval), store (Neo4j write), publish (events and turn state in Redis).',
    labelNames: ['stage'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  return {
    turn: (kind, escalated, ms, stages) => {
      turns.inc({ kind, escalated: String(escalated) });
      latency.observe({ kind }, ms / 1000);
      for (const [name, stageMs] of Object.entries(stages)) stage.observe({ stage: name }, stageMs / 1000);
    },
  };
}
