// Range indexes behind the filters of knowledgeItems and the review queue.
CREATE INDEX knowledge_status IF NOT EXISTS FOR (k:Knowledge) ON (k.status, k.visibility);
CREATE INDEX knowledge_kind IF NOT EXISTS FOR (k:Knowledge) ON (k.kind);
CREATE INDEX knowledge_updated IF NOT EXISTS FOR (k:Knowledge) ON (k.updatedAt);
CREATE INDEX document_hash IF NOT EXISTS FOR (d:Document) ON (d.contentHash);
CREATE INDEX message_conversation IF NOT EXISTS FOR (m:Message) ON (m.conversationId, m.seq);
