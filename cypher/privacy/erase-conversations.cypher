// Irreversibly anonymises conversations: every message text, mention, follow-up question and agent name,
// every feedback comment, and the conversation's context, customer, visitor, owner key and channel are
// removed; what analytics counts (roles, intents, sentiment, kinds, latency, escalations, CSAT scores,
// knowledge used) stays, so aggregates keep their totals. Idempotent.
// Params: $customerId (nullable: the customer's conversations), $ids (conversation ids, may be empty).
// Returns: one row {ids (conversation ids erased), messages (count), feedback (count)}.
OPTIONAL MATCH (c:Conversation)
WHERE ($customerId IS NOT NULL AND c.customerId = $customerId) OR c.id IN $ids
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_MESSAGE]->(m:Message)
  SET m.text = '[ERASED]', m.mentions = null, m.resolvedQuestion = null, m.author = null, m.erased = true
  RETURN count(m) AS messages
}
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_MESSAGE]->(:Message)<-[:RATES]-(f:Feedback)
  SET f.comment = null
  RETURN count(f) AS messageFeedback
}
CALL (c) {
  OPTIONAL MATCH (c)<-[:RATES]-(f:Feedback)
  SET f.comment = null
  RETURN count(f) AS csatFeedback
}
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END |
  SET c.customerContext = '{}', c.customerId = null, c.visitorId = null, c.ownerKeyId = null, c.channel = null, c.erasedAt = datetime())
RETURN [id IN collect(c.id) WHERE id IS NOT NULL] AS ids, sum(messages) AS messages, sum(messageFeedback + csatFeedback) AS feedback
