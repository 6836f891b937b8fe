// Items whose quality score needs recomputing: those that got feedback or were used in a turn that
// escalated since $since, published items whose review date has passed and were not scored today, and
// published items never scored.
// Items scored since $sweepStart (earlier batches of this sweep) are left out.
// Params: $since, $sweepStart (ISO), $limit. Returns: {id}.
CALL () {
  MATCH (f:Feedback) WHERE f.at > datetime($since)
  MATCH (f)-[:CONCERNS]->(k:Knowledge)
  RETURN k.id AS id
  UNION
  MATCH (m:Message) WHERE m.at > datetime($since) AND m.escalate = true
  MATCH (c:Conversation)-[:HAS_MESSAGE]->(m)
  MATCH (c)-[:HAS_MESSAGE]->(u:Message {role: 'bot'})-[:USED]->(k:Knowledge)
  WHERE u.seq IN [m.seq, m.seq - 2]
  RETURN k.id AS id
  UNION
  MATCH (k:Knowledge) WHERE k.reviewByEffective < datetime() AND k.status = 'PUBLISHED'
    AND (k.qualityAt IS NULL OR k.qualityAt < datetime() - duration('P1D'))
  RETURN k.id AS id
  UNION
  // Never scored (new, or a review date changed): scored once so its review date is known.
  MATCH (k:Knowledge) WHERE k.status = 'PUBLISHED' AND k.qualityAt IS NULL
  RETURN k.id AS id
}
WITH DISTINCT id
MATCH (k:Knowledge {id: id}) WHERE k.qualityAt IS NULL OR k.qualityAt < datetime($sweepStart)
RETURN id LIMIT toInteger($limit)
