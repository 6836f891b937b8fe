// Merges an entity into another, keeping an undo record (:EntityMerge) instead of deleting anything:
// the source's name becomes an alias of the target; its mentions, ABOUT links, typed relations and
// review-task links are copied to the target (links the target did not have are tagged with the merge
// id, so undo removes exactly those); open tasks about the source are closed as merged; then the
// source loses its relationships and its :Entity label (it becomes :MergedEntity, out of every query
// and index) — undo restores all of it from $snapshot. Relationship types come from the whitelist below.
// Params: $mergeId, $sourceId, $targetId, $by, $taskId (nullable), $snapshot (JSON text of the source's relationships).
// Returns: {targetId, closedTaskIds} or no row when either entity is missing or they are the same.
MATCH (src:Entity {id: $sourceId}), (dst:Entity {id: $targetId})
WHERE src <> dst
WITH src, dst, NOT src.name IN coalesce(dst.aliases, []) AS aliasAdded, NOT src.key IN coalesce(dst.aliasKeys, []) AS aliasKeyAdded
SET dst.aliases = CASE WHEN aliasAdded THEN coalesce(dst.aliases, []) + src.name ELSE dst.aliases END,
    dst.aliasKeys = CASE WHEN aliasKeyAdded THEN coalesce(dst.aliasKeys, []) + src.key ELSE dst.aliasKeys END,
    dst.updatedAt = datetime()
SET dst.aliasText = reduce(s = '', a IN dst.aliases | CASE WHEN s = '' THEN a ELSE s + ' \u2022 ' + a END)
CREATE (m:EntityMerge {id: $mergeId, sourceId: src.id, targetId: dst.id, sourceName: src.name, targetName: dst.name, taskId: $taskId,
                       by: $by, at: datetime(), aliasAdded: aliasAdded, aliasKeyAdded: aliasKeyAdded, snapshot: $snapshot})
WITH src, dst, m
CALL (src, dst) { MATCH (c)-[r:MENTIONS]->(src) MERGE (c)-[n:MENTIONS]->(dst) ON CREATE SET n += properties(r), n.mergeId = $mergeId }
CALL (src, dst) { MATCH (k)-[:ABOUT]->(src) MERGE (k)-[n:ABOUT]->(dst) ON CREATE SET n.mergeId = $mergeId }
CALL (src, dst) { MATCH (t:ReviewTask)-[:CANDIDATE]->(src) MERGE (t)-[n:CANDIDATE]->(dst) ON CREATE SET n.mergeId = $mergeId }
CALL (src, dst) {
  MATCH (src)-[r]->(x:Entity) WHERE x <> dst AND type(r) IN ['COVERS', 'INCLUDES', 'REQUIRES', 'APPLIES_TO', 'AVAILABLE_AT', 'COMPATIBLE_WITH', 'REPLACES', 'RELATED_TO']
  WITH dst, x, type(r) AS t, properties(r) AS p
  FOREACH (_ IN CASE WHEN t = 'COVERS' THEN [1] ELSE [] END | MERGE (dst)-[n:COVERS {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'INCLUDES' THEN [1] ELSE [] END | MERGE (dst)-[n:INCLUDES {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'REQUIRES' THEN [1] ELSE [] END | MERGE (dst)-[n:REQUIRES {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'APPLIES_TO' THEN [1] ELSE [] END | MERGE (dst)-[n:APPLIES_TO {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'AVAILABLE_AT' THEN [1] ELSE [] END | MERGE (dst)-[n:AVAILABLE_AT {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'COMPATIBLE_WITH' THEN [1] ELSE [] END | MERGE (dst)-[n:COMPATIBLE_WITH {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'REPLACES' THEN [1] ELSE [] END | MERGE (dst)-[n:REPLACES {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'RELATED_TO' THEN [1] ELSE [] END | MERGE (dst)-[n:RELATED_TO {documentId: p.documentId}]->(x) ON CREATE SET n += p, n.mergeId = $mergeId)
}
CALL (src, dst) {
  MATCH (x:Entity)-[r]->(src) WHERE x <> dst AND type(r) IN ['COVERS', 'INCLUDES', 'REQUIRES', 'APPLIES_TO', 'AVAILABLE_AT', 'COMPATIBLE_WITH', 'REPLACES', 'RELATED_TO']
  WITH dst, x, type(r) AS t, properties(r) AS p
  FOREACH (_ IN CASE WHEN t = 'COVERS' THEN [1] ELSE [] END | MERGE (x)-[n:COVERS {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'INCLUDES' THEN [1] ELSE [] END | MERGE (x)-[n:INCLUDES {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'REQUIRES' THEN [1] ELSE [] END | MERGE (x)-[n:REQUIRES {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'APPLIES_TO' THEN [1] ELSE [] END | MERGE (x)-[n:APPLIES_TO {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'AVAILABLE_AT' THEN [1] ELSE [] END | MERGE (x)-[n:AVAILABLE_AT {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'COMPATIBLE_WITH' THEN [1] ELSE [] END | MERGE (x)-[n:COMPATIBLE_WITH {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'REPLACES' THEN [1] ELSE [] END | MERGE (x)-[n:REPLACES {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
  FOREACH (_ IN CASE WHEN t = 'RELATED_TO' THEN [1] ELSE [] END | MERGE (x)-[n:RELATED_TO {documentId: p.documentId}]->(dst) ON CREATE SET n += p, n.mergeId = $mergeId)
}
CALL (src, dst) {
  OPTIONAL MATCH (t:ReviewTask)-[:FOR]->(src)
  WITH dst, t WHERE t IS NOT NULL
  MERGE (t)-[n:FOR]->(dst) ON CREATE SET n.mergeId = $mergeId
  WITH t WHERE t.status = 'OPEN' AND t.id <> coalesce($taskId, '')
  SET t.status = 'DONE', t.decision = 'merged', t.decidedBy = $by, t.decidedAt = datetime(), t.rev = coalesce(t.rev, 0) + 1
  RETURN collect(t.id) AS closedTaskIds
}
SET m.closedTaskIds = closedTaskIds
WITH src, dst, closedTaskIds
CALL (src) { MATCH (src)-[r]-() DELETE r }
REMOVE src:Entity
SET src:MergedEntity, src.mergedInto = dst.id, src.mergeId = $mergeId
RETURN dst.id AS targetId, closedTaskIds
