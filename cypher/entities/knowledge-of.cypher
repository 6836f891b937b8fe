// Visible knowledge items ABOUT each entity, newest first, at most $per per entity.
// Params: $ids (entity ids), $per, $visibilities, $statuses. Returns: {id, items} per entity that has any.
UNWIND $ids AS id
MATCH (:Entity {id: id})<-[:ABOUT]-(k:Knowledge)
WHERE {{visible-knowledge k}}
WITH id, k ORDER BY k.updatedAt DESC
WITH id, collect(k {.*, embedding: null})[..toInteger($per)] AS items
RETURN id, items
