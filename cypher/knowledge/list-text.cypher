// Like list.cypher, ranked by fulltext relevance to $text (Lucene syntax escaped by the caller).
// Params: as list.cypher, plus $text.
// Returns: one row {total, items}.
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_text', $text) YIELD node AS k
  WHERE {{visible-knowledge k}}
    AND ($kind IS NULL OR k.kind = $kind)
    AND ($status IS NULL OR k.status = $status)
    AND ($visibility IS NULL OR k.visibility = $visibility)
    AND ($language IS NULL OR k.language = $language)
    AND ($entityId IS NULL OR EXISTS { (k)-[:ABOUT]->(:Entity {id: $entityId}) })
  RETURN count(k) AS total
}
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_text', $text) YIELD node AS k, score
  WHERE {{visible-knowledge k}}
    AND ($kind IS NULL OR k.kind = $kind)
    AND ($status IS NULL OR k.status = $status)
    AND ($visibility IS NULL OR k.visibility = $visibility)
    AND ($language IS NULL OR k.language = $language)
    AND ($entityId IS NULL OR EXISTS { (k)-[:ABOUT]->(:Entity {id: $entityId}) })
  WITH k, score ORDER BY score DESC, k.id SKIP toInteger($skip) LIMIT toInteger($limit)
  RETURN collect(k {.*, embedding: null}) AS items
}
RETURN total, items
