// Links (or unlinks) a knowledge item and an entity, recording the change.
// Params: $id, $entityId, $link (true = link, false = unlink), $by.
// Returns: {item, entityFound}; no row when the item does not exist.
MATCH (k:Knowledge {id: $id})
OPTIONAL MATCH (e:Entity {id: $entityId})
CALL (k, e) {
  WITH k, e WHERE e IS NOT NULL AND $link
  MERGE (k)-[:ABOUT]->(e)
}
CALL (k, e) {
  WITH k, e WHERE e IS NOT NULL AND NOT $link
  OPTIONAL MATCH (k)-[r:ABOUT]->(e)
  DELETE r
}
CALL (k, e) {
  WITH k, e WHERE e IS NOT NULL
  SET k.updatedAt = datetime(), k.updatedBy = $by
  CREATE (:KnowledgeVersion {id: randomUUID(), version: k.version, change: CASE WHEN $link THEN 'link' ELSE 'unlink' END,
                             changedFields: ['entities'], entityId: e.id, status: k.status, by: $by, at: datetime()})-[:VERSION_OF]->(k)
}
RETURN k {.*, embedding: null} AS item, e IS NOT NULL AS entityFound
