// What the quality score of each item is computed from, counting only evidence since its last
// verification (a `quality` review task approved for it): helpful / not-helpful ratings of messages that
// used it, CSAT of conversations that used it, and bot turns that used it and escalated then or on the
// next bot turn.
// Params: $ids. Returns: {id, kind, status, createdAt, reviewBy (explicit, nullable), lastVerified (nullable),
//   helpful, unhelpful, csat (list of 1–5), uses, escalations, qualityScore (stored, nullable)}; none for unknown ids.
UNWIND $ids AS id
MATCH (k:Knowledge {id: id})
CALL (k) {
  OPTIONAL MATCH (t:ReviewTask {type: 'quality', decision: 'approved'})-[:FOR]->(k)
  RETURN max(t.decidedAt) AS lastVerified
}
WITH k, lastVerified, coalesce(lastVerified, datetime('1970-01-01T00:00:00Z')) AS since
CALL (k, since) {
  OPTIONAL MATCH (f:Feedback {kind: 'message'})-[:CONCERNS]->(k)
  WHERE f.at > since
  RETURN count(CASE WHEN f.helpful THEN 1 END) AS helpful, count(CASE WHEN f.helpful = false THEN 1 END) AS unhelpful
}
CALL (k, since) {
  OPTIONAL MATCH (f:Feedback {kind: 'csat'})-[:CONCERNS]->(k)
  WHERE f.at > since
  RETURN collect(f.score) AS csat
}
CALL (k, since) {
  OPTIONAL MATCH (c:Conversation)-[:HAS_MESSAGE]->(m:Message {role: 'bot'})-[:USED]->(k)
  WHERE m.at > since
  WITH c, m, coalesce(m.escalate, false) OR EXISTS { (c)-[:HAS_MESSAGE]->(n:Message {role: 'bot', seq: m.seq + 2}) WHERE n.escalate } AS escalated
  RETURN count(m) AS uses, count(CASE WHEN escalated THEN 1 END) AS escalations
}
RETURN k.id AS id, k.kind AS kind, k.status AS status, toString(k.createdAt) AS createdAt, toString(k.reviewBy) AS reviewBy,
       toString(lastVerified) AS lastVerified, helpful, unhelpful, csat, uses, escalations, k.qualityScore AS qualityScore
