// An open review task for a knowledge item, from src/learning (a fact drafted from a knowledge gap, a
// suggestion). Params: $id, $type, $targetId, $reason, $score (nullable), $evidence (JSON text, nullable).
// Returns: {id}; none when the item does not exist.
MATCH (k:Knowledge {id: $targetId})
CREATE (t:ReviewTask {id: $id, type: $type, status: 'OPEN', createdAt: datetime(), origin: 'learning', reason: $reason,
                      score: $score, evidence: $evidence})-[:FOR]->(k)
RETURN t.id AS id
