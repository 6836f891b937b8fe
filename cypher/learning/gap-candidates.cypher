// Customer questions the bot failed on that are in no knowledge-gap cluster yet, oldest first: its reply
// was `none`, below $minConfidence, escalated (not on the customer's request) or rated not helpful.
// Texts are stored PII-masked.
// Params: $since (ISO), $minConfidence, $limit. Returns: {id, text, language, at, reason}.
MATCH (q:Message {role: 'customer'})
WHERE q.at >= datetime($since) AND NOT EXISTS { (q)-[:IN_GAP]->() }
MATCH (c:Conversation)-[:HAS_MESSAGE]->(q)
MATCH (c)-[:HAS_MESSAGE]->(a:Message {role: 'bot', seq: q.seq + 1})
WHERE NOT coalesce(a.kind, '') IN ['smalltalk', 'handoff', 'process']
  AND (a.kind = 'none' OR a.confidence < $minConfidence OR a.helpful = false OR a.escalate = true)
WITH q, CASE WHEN a.helpful = false THEN 'not-helpful' WHEN a.kind = 'none' THEN 'unanswered'
             WHEN a.escalate = true THEN 'escalated' ELSE 'low-confidence' END AS reason
ORDER BY q.at
LIMIT toInteger($limit)
RETURN q.id AS id, q.text AS text, q.language AS language, toString(q.at) AS at, reason
