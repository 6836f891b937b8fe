// Audit events in chain order for verification, after a sequence number.
// Params: $afterSeq, $limit. Returns: {event} per event, by seq ascending.
MATCH (e:AuditEvent)
WHERE e.seq > $afterSeq
WITH e ORDER BY e.seq
LIMIT toInteger($limit)
RETURN e {.*} AS event
