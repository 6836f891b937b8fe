// Published knowledge a proposed item may contradict: items of the same kind ABOUT a common entity,
// and (rules) published rules whose condition tests one of the same fact paths. The caller decides
// what conflicts (src/review/conflicts.ts).
// Params: $rows: [{taskId, itemId, kind, paths (fact paths of a rule's condition)}], $visibilities.
// Returns per candidate: {taskId, item (row), entities (names), via: [{id, name}] (common entities)}.
UNWIND $rows AS row
MATCH (k:Knowledge {id: row.itemId})
CALL (k, row) {
  MATCH (k)-[:ABOUT]->(e:Entity)<-[:ABOUT]-(p:Knowledge)
  WHERE p.status = 'PUBLISHED' AND p.kind = row.kind AND p <> k AND {{visible-knowledge-any-status p}}
  RETURN p, e
  UNION
  MATCH (p:Rule)
  WHERE row.kind = 'rule' AND size(row.paths) > 0 AND p.status = 'PUBLISHED' AND p <> k AND {{visible-knowledge-any-status p}}
    AND any(path IN row.paths WHERE p.when CONTAINS ('"' + path + '"'))
  RETURN p, null AS e
}
WITH row, p, collect(e {.id, .name}) AS via
CALL (p) {
  OPTIONAL MATCH (p)-[:ABOUT]->(x:Entity)
  RETURN collect(x.name) AS entities
}
RETURN row.taskId AS taskId, p {.*, embedding: null} AS item, entities, via
