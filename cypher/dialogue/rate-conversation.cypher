// Customer satisfaction (CSAT 1-5) for a conversation, linked to every item its messages used.
// Params: $conversationId, $feedbackId, $score, $nps (0–10 likelihood to recommend, nullable), $comment (nullable), $by.
// Returns: {feedback, knowledge}; nothing when the conversation does not exist.
MATCH (c:Conversation {id: $conversationId})
CREATE (f:Feedback {id: $feedbackId, kind: 'csat', score: $score, nps: $nps, comment: $comment, by: $by, at: datetime()})-[:RATES]->(c)
SET c.csat = $score, c.nps = coalesce($nps, c.nps)
WITH f, c
CALL (f, c) {
  OPTIONAL MATCH (c)-[:HAS_MESSAGE]->(:Message)-[:USED]->(k:Knowledge)
  WITH f, collect(DISTINCT k) AS items
  FOREACH (k IN items | MERGE (f)-[:CONCERNS]->(k))
  RETURN [k IN items | k.id] AS knowledge
}
RETURN f {.*} AS feedback, knowledge
