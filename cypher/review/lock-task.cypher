// Takes the write lock on a review task the viewer may see, before it is decided: two editors deciding
// one task are serialised here, and the second one reads the first one's decision (review/get, same transaction).
// Params: $id, $visibilities. Returns: {id}, or no row when the task does not exist or is not visible.
MATCH (t:ReviewTask {id: $id})-[:FOR]->(target)
WHERE target:Entity OR (target:Knowledge AND {{visible-knowledge-any-status target}} AND (t.proposedVisibility IS NULL OR t.proposedVisibility IN $visibilities))
WITH DISTINCT t
SET t.lockedAt = datetime()
RETURN t.id AS id
