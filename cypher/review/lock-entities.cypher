// Locks the two entities of a merge (in id order, so two merges of the same pair cannot deadlock).
// Params: $ids. Returns: {id, name, key} per entity that exists.
UNWIND $ids AS id
WITH id ORDER BY id
MATCH (e:Entity {id: id})
SET e.lockedAt = datetime()
RETURN e.id AS id, e.name AS name, e.key AS key
