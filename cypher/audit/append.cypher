// Appends one audit event and moves the chain head to it. Run after audit/lock-chain in the same
// transaction; the caller computed $e.hash from the fields and the previous hash.
// Params: $e: {id, seq, at (ISO text), actor, actorName, actorRole, action, targetType, targetId, before, after, details, prevHash, hash}.
// Returns: {id}. Fails (constraint) when the sequence number is taken: the chain never forks.
MATCH (h:AuditChain {id: 'audit'})
CREATE (e:AuditEvent)
SET e = $e, e.at = datetime($e.at)
SET h.seq = $e.seq, h.hash = $e.hash
RETURN e.id AS id
