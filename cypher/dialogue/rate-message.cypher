// Feedback on a message, linked to the knowledge that message used (so quality can be traced to items).
// Params: $messageId, $feedbackId, $helpful, $comment (nullable), $by.
// Returns: {feedback, knowledge (ids it concerns)}; nothing when the message does not exist.
MATCH (m:Message {id: $messageId})
CREATE (f:Feedback {id: $feedbackId, kind: 'message', helpful: $helpful, comment: $comment, by: $by, at: datetime()})-[:RATES]->(m)
SET m.helpful = $helpful
WITH f, m
CALL (f, m) {
  OPTIONAL MATCH (m)-[:USED]->(k:Knowledge)
  FOREACH (_ IN CASE WHEN k IS NULL THEN [] ELSE [1] END | MERGE (f)-[:CONCERNS]->(k))
  RETURN collect(k.id) AS knowledge
}
RETURN f {.*} AS feedback, knowledge
