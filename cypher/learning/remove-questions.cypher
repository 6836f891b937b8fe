// Removes similar questions from a fact by key.
// Params: $id, $keys. Returns: {removed}.
MATCH (k:Knowledge {id: $id})-[:HAS_QUESTION]->(q:SimilarQuestion)
WHERE q.key IN $keys
DETACH DELETE q
RETURN count(*) AS removed
