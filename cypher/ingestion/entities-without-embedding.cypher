// Entities without a name embedding by the served model $model (seeded or imported ones, or embedded by
// an earlier model), for the model stage to fill.
// Params: $limit, $model. Returns: {id, text} where text is the name and aliases.
MATCH (e:Entity)
WHERE e.embedding IS NULL OR coalesce(e.embeddingModel, '') <> $model
RETURN e.id AS id, e.name AS text
LIMIT toInteger($limit)
