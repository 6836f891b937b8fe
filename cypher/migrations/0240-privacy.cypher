// Erasure finds a customer's conversations by customerId; retention scans by last activity.
CREATE INDEX conversation_customer IF NOT EXISTS FOR (c:Conversation) ON (c.customerId);
CREATE INDEX conversation_last_message IF NOT EXISTS FOR (c:Conversation) ON (c.lastMessageAt);
CREATE INDEX conversation_created IF NOT EXISTS FOR (c:Conversation) ON (c.createdAt);
CREATE CONSTRAINT erasure_event_id IF NOT EXISTS FOR (e:ErasureEvent) REQUIRE e.id IS UNIQUE;
