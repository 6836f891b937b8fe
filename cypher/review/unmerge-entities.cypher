// Undoes an entity merge: removes what the merge added to the target (alias, links tagged with the
// merge id), gives the source back its :Entity label, re-creates its relationships from the merge's
// snapshot (types from the whitelist below; a node deleted since is skipped), reopens the tasks the
// merge closed, and marks the merge undone.
// Params: $id, $by, $rels: [{type, out, otherElementId, props}] (the snapshot). Returns: {sourceId, restored}.
MATCH (m:EntityMerge {id: $id}) WHERE m.undoneAt IS NULL
MATCH (src:MergedEntity {id: m.sourceId})
MATCH (dst:Entity {id: m.targetId})
CALL (dst, m) { MATCH (dst)-[r]-() WHERE r.mergeId = m.id DELETE r }
CALL (dst, m) {
  MATCH (t:ReviewTask)-[r:FOR]->(dst) WHERE r.mergeId = m.id DELETE r
}
SET dst.aliases = CASE WHEN m.aliasAdded THEN [a IN dst.aliases WHERE a <> m.sourceName] ELSE dst.aliases END,
    dst.aliasKeys = CASE WHEN m.aliasKeyAdded THEN [a IN dst.aliasKeys WHERE a <> src.key] ELSE dst.aliasKeys END,
    dst.updatedAt = datetime()
SET dst.aliasText = reduce(s = '', a IN dst.aliases | CASE WHEN s = '' THEN a ELSE s + ' \u2022 ' + a END)
REMOVE src:MergedEntity, src.mergedInto, src.mergeId
SET src:Entity
WITH m, src
CALL (src) {
  UNWIND $rels AS rel
  MATCH (o) WHERE elementId(o) = rel.otherElementId
  WITH src, o, rel, rel.type AS t, rel.props AS p
  WHERE t IN ['MENTIONS', 'ABOUT', 'FOR', 'CANDIDATE', 'COVERS', 'INCLUDES', 'REQUIRES', 'APPLIES_TO', 'AVAILABLE_AT', 'COMPATIBLE_WITH', 'REPLACES', 'RELATED_TO']
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'MENTIONS' THEN [1] ELSE [] END | CREATE (o)-[n:MENTIONS]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'ABOUT' THEN [1] ELSE [] END | CREATE (o)-[n:ABOUT]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'FOR' THEN [1] ELSE [] END | CREATE (o)-[n:FOR]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'CANDIDATE' THEN [1] ELSE [] END | CREATE (o)-[n:CANDIDATE]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'COVERS' THEN [1] ELSE [] END | CREATE (src)-[n:COVERS]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'COVERS' THEN [1] ELSE [] END | CREATE (o)-[n:COVERS]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'INCLUDES' THEN [1] ELSE [] END | CREATE (src)-[n:INCLUDES]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'INCLUDES' THEN [1] ELSE [] END | CREATE (o)-[n:INCLUDES]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'REQUIRES' THEN [1] ELSE [] END | CREATE (src)-[n:REQUIRES]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'REQUIRES' THEN [1] ELSE [] END | CREATE (o)-[n:REQUIRES]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'APPLIES_TO' THEN [1] ELSE [] END | CREATE (src)-[n:APPLIES_TO]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'APPLIES_TO' THEN [1] ELSE [] END | CREATE (o)-[n:APPLIES_TO]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'AVAILABLE_AT' THEN [1] ELSE [] END | CREATE (src)-[n:AVAILABLE_AT]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'AVAILABLE_AT' THEN [1] ELSE [] END | CREATE (o)-[n:AVAILABLE_AT]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'COMPATIBLE_WITH' THEN [1] ELSE [] END | CREATE (src)-[n:COMPATIBLE_WITH]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'COMPATIBLE_WITH' THEN [1] ELSE [] END | CREATE (o)-[n:COMPATIBLE_WITH]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'REPLACES' THEN [1] ELSE [] END | CREATE (src)-[n:REPLACES]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'REPLACES' THEN [1] ELSE [] END | CREATE (o)-[n:REPLACES]->(src) SET n = p)
  FOREACH (_ IN CASE WHEN rel.out AND t = 'RELATED_TO' THEN [1] ELSE [] END | CREATE (src)-[n:RELATED_TO]->(o) SET n = p)
  FOREACH (_ IN CASE WHEN NOT rel.out AND t = 'RELATED_TO' THEN [1] ELSE [] END | CREATE (o)-[n:RELATED_TO]->(src) SET n = p)
  RETURN count(*) AS restored
}
CALL (m) {
  UNWIND coalesce(m.closedTaskIds, []) + CASE WHEN m.taskId IS NULL THEN [] ELSE [m.taskId] END AS tid
  MATCH (t:ReviewTask {id: tid})
  SET t.status = 'OPEN', t.decision = null, t.decidedBy = null, t.decidedAt = null, t.rev = coalesce(t.rev, 0) + 1, t.approvedBy = [], t.approvedByNames = [], t.approvedAt = []
  RETURN count(t) AS reopened
}
SET m.undoneAt = datetime(), m.undoneBy = $by
RETURN src.id AS sourceId, restored, reopened
