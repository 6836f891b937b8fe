// Uniqueness constraints for every node we address by id, plus the external ids imports key on.
CREATE CONSTRAINT knowledge_id IF NOT EXISTS FOR (k:Knowledge) REQUIRE k.id IS UNIQUE;
CREATE CONSTRAINT knowledge_external_id IF NOT EXISTS FOR (k:Knowledge) REQUIRE k.externalId IS UNIQUE;
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;
CREATE CONSTRAINT entity_external_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.externalId IS UNIQUE;
CREATE CONSTRAINT entity_key IF NOT EXISTS FOR (e:Entity) REQUIRE e.key IS UNIQUE;
CREATE CONSTRAINT intent_id IF NOT EXISTS FOR (i:Intent) REQUIRE i.id IS UNIQUE;
CREATE CONSTRAINT intent_name IF NOT EXISTS FOR (i:Intent) REQUIRE i.name IS UNIQUE;
CREATE CONSTRAINT intent_external_id IF NOT EXISTS FOR (i:Intent) REQUIRE i.externalId IS UNIQUE;
CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE;
CREATE CONSTRAINT chunk_id IF NOT EXISTS FOR (c:Chunk) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT version_id IF NOT EXISTS FOR (v:KnowledgeVersion) REQUIRE v.id IS UNIQUE;
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (a:ApiKey) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (a:ApiKey) REQUIRE a.hash IS UNIQUE;
CREATE CONSTRAINT conversation_id IF NOT EXISTS FOR (c:Conversation) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT message_id IF NOT EXISTS FOR (m:Message) REQUIRE m.id IS UNIQUE;
CREATE CONSTRAINT review_task_id IF NOT EXISTS FOR (r:ReviewTask) REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT audit_event_id IF NOT EXISTS FOR (a:AuditEvent) REQUIRE a.id IS UNIQUE;
