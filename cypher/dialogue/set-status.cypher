// Moves a conversation to a status, recording the agent (claim) or clearing it (hand back, resolve).
// Params: $id, $status, $agentKeyId (nullable), $agentName (nullable), $keepAgent (bool), $escalationReason (nullable).
// Returns: {conversation}; nothing when it does not exist.
MATCH (c:Conversation {id: $id})
SET c.status = $status, c.updatedAt = datetime(),
    c.agentKeyId = CASE WHEN $keepAgent THEN c.agentKeyId ELSE $agentKeyId END,
    c.agentName = CASE WHEN $keepAgent THEN c.agentName ELSE $agentName END,
    c.escalationReason = CASE WHEN $escalationReason IS NOT NULL THEN $escalationReason ELSE c.escalationReason END,
    c.escalatedAt = CASE WHEN $status = 'ESCALATED' THEN datetime() ELSE c.escalatedAt END,
    c.resolvedAt = CASE WHEN $status = 'RESOLVED' THEN datetime() ELSE c.resolvedAt END
RETURN c {.*} AS conversation
