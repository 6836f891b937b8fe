// Takes the audit chain's write lock (one head node) and returns where the chain ends, so the next
// event can link to it. Appends serialise on this lock inside the audited transaction.
// Params: none. Returns: {seq (0 when empty), hash (the last event's hash, or the genesis hash)}.
MERGE (h:AuditChain {id: 'audit'})
ON CREATE SET h.seq = 0, h.hash = '0000000000000000000000000000000000000000000000000000000000000000'
SET h.lockedAt = datetime()
RETURN h.seq AS seq, h.hash AS hash
