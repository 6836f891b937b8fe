// Audit trail: one event per sequence number (the hash chain never forks), lookups by target and actor.
CREATE CONSTRAINT audit_event_seq IF NOT EXISTS FOR (e:AuditEvent) REQUIRE e.seq IS UNIQUE;
CREATE CONSTRAINT audit_chain_id IF NOT EXISTS FOR (h:AuditChain) REQUIRE h.id IS UNIQUE;
CREATE INDEX audit_event_target IF NOT EXISTS FOR (e:AuditEvent) ON (e.targetId);
CREATE INDEX audit_event_actor IF NOT EXISTS FOR (e:AuditEvent) ON (e.actor);
