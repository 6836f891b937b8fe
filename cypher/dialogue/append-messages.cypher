// Stores the messages of one turn: (:Conversation)-[:HAS_MESSAGE]->(:Message), the knowledge each used
// ((:Message)-[:USED {rank}]->(:Knowledge)) and the entities it mentions ((:Message)-[:MENTIONS]->(:Entity)),
// and updates the conversation (status, counters).
// Params: $conversationId, $status, $escalationReason (nullable), $messages: [{id, seq, role, text, at (ISO), language,
//   intent, intentConfidence, outOfScope, sentiment, sentimentScore, emotion, emotionScore, confidence, latencyMs, escalate, kind,
//   citations (JSON string), mentions (JSON string), author, replyTo, resolvedQuestion, knowledgeIds, entityIds,
//   actionError (JSON string, nullable)}].
// Returns: {id} per message; nothing when the conversation does not exist.
MATCH (c:Conversation {id: $conversationId})
SET c.status = $status, c.updatedAt = datetime(), c.lastMessageAt = datetime(), c.messageCount = coalesce(c.messageCount, 0) + size($messages),
    c.escalationReason = coalesce($escalationReason, c.escalationReason),
    c.escalatedAt = CASE WHEN $escalationReason IS NOT NULL THEN datetime() ELSE c.escalatedAt END
WITH c
UNWIND $messages AS row
CREATE (c)-[:HAS_MESSAGE]->(m:Message {id: row.id, conversationId: $conversationId, seq: row.seq, role: row.role, text: row.text,
  at: datetime(row.at), language: row.language, intent: row.intent, intentConfidence: row.intentConfidence, outOfScope: row.outOfScope,
  sentiment: row.sentiment, sentimentScore: row.sentimentScore, emotion: row.emotion, emotionScore: row.emotionScore, confidence: row.confidence, latencyMs: row.latencyMs,
  escalate: row.escalate, kind: row.kind, citations: row.citations, mentions: row.mentions, author: row.author, replyTo: row.replyTo, resolvedQuestion: row.resolvedQuestion,
  knowledgeIds: row.knowledgeIds, actionError: row.actionError})
WITH m, row
CALL (m, row) {
  UNWIND range(0, size(row.knowledgeIds) - 1) AS i
  MATCH (k:Knowledge {id: row.knowledgeIds[i]})
  CREATE (m)-[:USED {rank: i + 1}]->(k)
  RETURN count(*) AS used
}
CALL (m, row) {
  UNWIND row.entityIds AS eid
  MATCH (e:Entity {id: eid})
  MERGE (m)-[:MENTIONS]->(e)
  RETURN count(*) AS mentioned
}
RETURN m.id AS id
