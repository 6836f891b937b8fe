// A page of conversations in the given statuses (the agent inbox), longest waiting first.
// Params: $statuses, $agentKeyId (nullable: only those this agent holds), $skip, $limit. Returns: one row {total, items}.
MATCH (c:Conversation)
WHERE c.status IN $statuses AND ($agentKeyId IS NULL OR c.agentKeyId = $agentKeyId)
WITH c ORDER BY coalesce(c.escalatedAt, c.createdAt) ASC, c.id
WITH count(c) AS total, collect(c) AS all
RETURN total, [c IN all[toInteger($skip)..toInteger($skip + $limit)] | c {.*}] AS items
