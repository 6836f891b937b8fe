// Write-locks the existing entities a document version will link to, in the caller's (sorted)
// order, at the start of its write transaction. Concurrent writers then queue on the first entity
// they share instead of deadlocking on dense entity nodes (every document mentions the big ones).
// Params: $keys (sorted entity keys). Returns: {locked}. The property is removed again in the same
// statement, so nothing changes; the locks are held until the transaction ends.
UNWIND $keys AS key
MATCH (e:Entity {key: key})
SET e._ingestionLock = true
REMOVE e._ingestionLock
RETURN count(e) AS locked
