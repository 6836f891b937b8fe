// A page of knowledge items, newest change first, with the total for the filter.
// Params: $visibilities, $statuses (access), $kind, $status, $visibility, $entityId, $language (filters, null = any),
//         $skip, $limit.
// Returns: one row {total, items}. The filter runs twice (count, page) so no query holds every match in memory.
CALL () {
  MATCH (k:Knowledge)
  WHERE {{visible-knowledge k}}
    AND ($kind IS NULL OR k.kind = $kind)
    AND ($status IS NULL OR k.status = $status)
    AND ($visibility IS NULL OR k.visibility = $visibility)
    AND ($language IS NULL OR k.language = $language)
    AND ($entityId IS NULL OR EXISTS { (k)-[:ABOUT]->(:Entity {id: $entityId}) })
  RETURN count(k) AS total
}
CALL () {
  MATCH (k:Knowledge)
  WHERE {{visible-knowledge k}}
    AND ($kind IS NULL OR k.kind = $kind)
    AND ($status IS NULL OR k.status = $status)
    AND ($visibility IS NULL OR k.visibility = $visibility)
    AND ($language IS NULL OR k.language = $language)
    AND ($entityId IS NULL OR EXISTS { (k)-[:ABOUT]->(:Entity {id: $entityId}) })
  WITH k ORDER BY k.updatedAt DESC, k.id SKIP toInteger($skip) LIMIT toInteger($limit)
  RETURN collect(k {.*, embedding: null}) AS items
}
RETURN total, items
