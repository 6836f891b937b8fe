// Entities a document introduced (resolution found no existing one), keyed by normalised name.
// Params: $rows: [{id, key, name, type, embedding (list of floats or null)}], $by, $model (of the embeddings).
// Returns: {key, id, created}. `type` is from the controlled vocabulary (checked by the caller).
// An entity that appeared meanwhile (another document) is reused, never duplicated (unique key).
UNWIND $rows AS row
MERGE (e:Entity {key: row.key})
ON CREATE SET e.id = row.id, e.name = row.name, e.type = row.type, e.aliases = [], e.aliasKeys = [], e.aliasText = '',
              e.origin = 'ingestion', e.createdAt = datetime(), e.createdBy = $by, e._new = true
WITH e, row, row.embedding IS NOT NULL AND (e.embedding IS NULL OR coalesce(e.embeddingModel, '') <> $model) AS replace
SET e.embedding = CASE WHEN replace THEN row.embedding ELSE e.embedding END,
    e.embeddingModel = CASE WHEN replace THEN $model ELSE e.embeddingModel END
WITH e, coalesce(e._new, false) AS created
REMOVE e._new
RETURN e.key AS key, e.id AS id, created
