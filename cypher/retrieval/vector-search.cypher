// Nearest knowledge items by embedding in the Neo4j vector index (the default vector store).
// Params: $vector (list<float>), $k, $scan (candidates read before the language filter; >= $k),
//   $languages (list | null), $model (only vectors this embedding model made; null = any).
// Returns: {id, score} best first; score is the index's cosine score in [0, 1].
CALL db.index.vector.queryNodes('knowledge_embedding', toInteger($scan), $vector) YIELD node AS k, score
WITH k, score WHERE ($languages IS NULL OR k.language IN $languages) AND ($model IS NULL OR k.embeddingModel = $model)
RETURN k.id AS id, score
ORDER BY score DESC
LIMIT toInteger($k)
