// Merges an entity into another (an approved entity-merge suggestion): its name becomes an alias
// of the target, its mentions, ABOUT links and relations move to the target, it is deleted, and
// other open tasks about it are closed (and point at the target from now on). Relationship types are the fixed whitelist below.
// Params: $sourceId (the entity to merge away), $targetId, $by. Returns: {targetId} or no row.
MATCH (src:Entity {id: $sourceId}), (dst:Entity {id: $targetId})
WHERE src <> dst
SET dst.aliases = CASE WHEN src.name IN coalesce(dst.aliases, []) THEN dst.aliases ELSE coalesce(dst.aliases, []) + src.name END,
    dst.aliasKeys = CASE WHEN src.key IN coalesce(dst.aliasKeys, []) THEN dst.aliasKeys ELSE coalesce(dst.aliasKeys, []) + src.key END,
    dst.updatedAt = datetime()
SET dst.aliasText = reduce(s = '', a IN dst.aliases | CASE WHEN s = '' THEN a ELSE s + ' \u2022 ' + a END)
WITH src, dst
CALL (src, dst) { MATCH (c)-[m:MENTIONS]->(src) MERGE (c)-[n:MENTIONS]->(dst) SET n += properties(m) }
CALL (src, dst) { MATCH (k)-[:ABOUT]->(src) MERGE (k)-[:ABOUT]->(dst) }
CALL (src, dst) {
  MATCH (src)-[r]->(x:Entity) WHERE x <> dst AND type(r) IN ['COVERS', 'INCLUDES', 'REQUIRES', 'APPLIES_TO', 'AVAILABLE_AT', 'COMPATIBLE_WITH', 'REPLACES', 'RELATED_TO']
  WITH dst, x, r, type(r) AS t, properties(r) AS p
  FOREACH (_ IN CASE WHEN t = 'COVERS' THEN [1] ELSE [] END | MERGE (dst)-[n:COVERS {documentId: p.documentId}]->(x) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'INCLUDES' THEN [1] ELSE [] END | MERGE (dst)-[n:INCLUDES {documentId: p.documentId}]->(x) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'REQUIRES' THEN [1] ELSE [] END | MERGE (dst)-[n:REQUIRES {documentId: p.documentId}]->(x) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'APPLIES_TO' THEN [1] ELSE [] END | MERGE (dst)-[n:APPLIES_TO {documentId: p.documentId}]->(x) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'AVAILABLE_AT' THEN [1] ELSE [] END | MERGE (dst)-[n:AVAILABLE_AT {documentId: p.documentId}]->(x) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'COMPATIBLE_WITH' THEN [1] ELSE [] END | MERGE (dst)-[n:COMPATIBLE_WITH {documentId: p.documentId}]->(x) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'REPLACES' THEN [1] ELSE [] END | MERGE (dst)-[n:REPLACES {documentId: p.documentId}]->(x) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'RELATED_TO' THEN [1] ELSE [] END | MERGE (dst)-[n:RELATED_TO {documentId: p.documentId}]->(x) SET n += p)
}
CALL (src, dst) {
  MATCH (x:Entity)-[r]->(src) WHERE x <> dst AND type(r) IN ['COVERS', 'INCLUDES', 'REQUIRES', 'APPLIES_TO', 'AVAILABLE_AT', 'COMPATIBLE_WITH', 'REPLACES', 'RELATED_TO']
  WITH dst, x, r, type(r) AS t, properties(r) AS p
  FOREACH (_ IN CASE WHEN t = 'COVERS' THEN [1] ELSE [] END | MERGE (x)-[n:COVERS {documentId: p.documentId}]->(dst) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'INCLUDES' THEN [1] ELSE [] END | MERGE (x)-[n:INCLUDES {documentId: p.documentId}]->(dst) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'REQUIRES' THEN [1] ELSE [] END | MERGE (x)-[n:REQUIRES {documentId: p.documentId}]->(dst) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'APPLIES_TO' THEN [1] ELSE [] END | MERGE (x)-[n:APPLIES_TO {documentId: p.documentId}]->(dst) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'AVAILABLE_AT' THEN [1] ELSE [] END | MERGE (x)-[n:AVAILABLE_AT {documentId: p.documentId}]->(dst) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'COMPATIBLE_WITH' THEN [1] ELSE [] END | MERGE (x)-[n:COMPATIBLE_WITH {documentId: p.documentId}]->(dst) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'REPLACES' THEN [1] ELSE [] END | MERGE (x)-[n:REPLACES {documentId: p.documentId}]->(dst) SET n += p)
  FOREACH (_ IN CASE WHEN t = 'RELATED_TO' THEN [1] ELSE [] END | MERGE (x)-[n:RELATED_TO {documentId: p.documentId}]->(dst) SET n += p)
}
CALL (src, dst) {
  MATCH (t:ReviewTask)-[:FOR]->(src)
  MERGE (t)-[:FOR]->(dst)
  FOREACH (_ IN CASE WHEN t.status = 'OPEN' THEN [1] ELSE [] END |
    SET t.status = 'DONE', t.decision = 'merged', t.decidedBy = $by, t.decidedAt = datetime())
}
DETACH DELETE src
RETURN dst.id AS targetId
