// Moves an item to a new status and records the change in its history.
// Params: $id, $status, $from (statuses it may move from), $change (the move's name), $by, $reason (nullable).
// Returns: the item, or no row when it does not exist; {rejected: true} when its status does not allow the move.
MATCH (k:Knowledge {id: $id})
WITH k, k.status IN $from AS allowed, k.status AS previous
CALL (k, allowed, previous) {
  WITH k WHERE allowed
  SET k.status = $status, k.updatedAt = datetime(), k.updatedBy = $by
  CREATE (:KnowledgeVersion {id: randomUUID(), version: k.version, change: $change, changedFields: ['status'],
                             status: $status, previousStatus: previous, reason: $reason, by: $by, at: datetime()})-[:VERSION_OF]->(k)
}
RETURN k {.*, embedding: null} AS item, allowed, previous
