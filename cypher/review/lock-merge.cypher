// Locks an entity merge before it is undone. Params: $id.
// Returns: {id, sourceId, targetId, taskId, undoneAt, aliasAdded, aliasKeyAdded, sourceName, sourceKey, snapshot, closedTaskIds} or no row.
MATCH (m:EntityMerge {id: $id})
SET m.lockedAt = datetime()
WITH m
OPTIONAL MATCH (src:MergedEntity {id: m.sourceId})
RETURN m {.id, .sourceId, .targetId, .taskId, .undoneAt, .aliasAdded, .aliasKeyAdded, .sourceName, .snapshot, .closedTaskIds} AS merge, src.key AS sourceKey, src IS NOT NULL AS sourceKept
