// Takes the write locks of knowledge items (in id order) before a release plan is read and written.
// Params: $ids. Returns: {id} per existing item.
UNWIND $ids AS id
WITH id ORDER BY id
MATCH (k:Knowledge {id: id})
SET k.lockedAt = datetime()
RETURN k.id AS id
