// Files suggestions as review work: one Suggestion per finding (keyed by kind and items, so a finding
// an editor has seen is not filed again) with an open `suggestion` review task FOR its first item.
// Params: $rows: [{key, kind ('contradiction' | 'duplicate' | 'stale'), itemIds, reason, evidence (JSON text), score}].
// Returns: {created}.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.itemIds[0]})
MERGE (s:Suggestion {key: row.key})
ON CREATE SET s.kind = row.kind, s.itemIds = row.itemIds, s.reason = row.reason, s.evidence = row.evidence, s.score = row.score,
              s.createdAt = datetime(), s._new = true
WITH s, k, row, coalesce(s._new, false) AS created
REMOVE s._new
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  CREATE (t:ReviewTask {id: randomUUID(), type: 'suggestion', status: 'OPEN', createdAt: datetime(), origin: 'learning',
                        reason: row.reason, score: row.score, evidence: row.evidence})-[:FOR]->(k)
  CREATE (s)-[:FILED_AS]->(t))
RETURN count(CASE WHEN created THEN 1 END) AS created
