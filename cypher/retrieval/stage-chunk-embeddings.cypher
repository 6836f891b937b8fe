// Stages chunk vectors of another embedding model during a re-embedding (see stage-embeddings).
// Params: $rows: [{id, vector}], $model. Returns: {id} per chunk written.
UNWIND $rows AS row
MATCH (c:Chunk {id: row.id})
CALL db.create.setNodeVectorProperty(c, 'embeddingNext', row.vector)
SET c.embeddingNextModel = $model
RETURN c.id AS id
