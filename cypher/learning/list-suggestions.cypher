// Review suggestions, newest first, with their review task's state.
// Params: $kind (nullable), $open (bool | null: only those whose task is open / decided), $skip, $limit.
// Returns: {key, kind, itemIds, reason, evidence, score, createdAt, taskId, taskStatus, decision}.
MATCH (s:Suggestion)
WHERE $kind IS NULL OR s.kind = $kind
OPTIONAL MATCH (s)-[:FILED_AS]->(t:ReviewTask)
WITH s, t WHERE $open IS NULL OR ($open = (t.status = 'OPEN'))
WITH s, t ORDER BY s.createdAt DESC, s.key SKIP toInteger($skip) LIMIT toInteger($limit)
RETURN s.key AS key, s.kind AS kind, s.itemIds AS itemIds, s.reason AS reason, s.evidence AS evidence, s.score AS score,
       toString(s.createdAt) AS createdAt, t.id AS taskId, t.status AS taskStatus, t.decision AS decision
