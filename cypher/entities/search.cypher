// A page of entities, optionally by type and fulltext over names and aliases (Lucene syntax escaped by the caller).
// Params: $text (nullable), $type (nullable), $skip, $limit. Returns: one row {total, items}.
CALL (*) {
  WITH $text AS text WHERE text IS NOT NULL
  CALL db.index.fulltext.queryNodes('entity_names', text) YIELD node, score
  RETURN node AS e, score
  UNION
  WITH $text AS text WHERE text IS NULL
  MATCH (e:Entity)
  RETURN e, 0.0 AS score
}
WITH e, score WHERE $type IS NULL OR e.type = $type
WITH e, score ORDER BY score DESC, e.name
WITH count(e) AS total, collect(e) AS all
RETURN total, [e IN all[toInteger($skip)..toInteger($skip + $limit)] | e {.*, embedding: null, aliasKeys: null}] AS items
