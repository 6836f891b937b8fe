// Where the audit chain says it ends (the anchor a truncated log is checked against).
// Params: none. Returns: {seq, hash} or no row before the first event.
MATCH (h:AuditChain {id: 'audit'})
RETURN h.seq AS seq, h.hash AS hash
