// Locks a knowledge item for a change to its similar questions and says whether it may take them.
// Params: $id, $visibilities. Returns: {id, kind, status} (a write lock is held until the transaction
// ends); none when the item does not exist or the caller may not see it.
MATCH (k:Knowledge {id: $id}) WHERE {{visible-knowledge-any-status k}}
SET k._lock = true
REMOVE k._lock
RETURN k.id AS id, k.kind AS kind, k.status AS status, k.language AS language
