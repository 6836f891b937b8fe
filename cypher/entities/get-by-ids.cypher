// Entities by id. Params: $ids. Returns: one row per existing entity.
UNWIND $ids AS id
MATCH (e:Entity {id: id})
RETURN e {.*, embedding: null, aliasKeys: null} AS entity
