// Document chunks a re-embedding towards $model still has to embed (not served nor staged with it).
// Params: $model, $limit. Returns: {id, text}.
MATCH (c:Chunk)
WHERE c.text IS NOT NULL AND coalesce(c.embeddingModel, '') <> $model AND coalesce(c.embeddingNextModel, '') <> $model
RETURN c.id AS id, c.text AS text
LIMIT toInteger($limit)
