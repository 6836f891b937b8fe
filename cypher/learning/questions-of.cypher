// The similar questions of items, oldest first.
// Params: $ids. Returns: {id, questions: [{id, text, language, origin, gapId, createdAt, createdBy, embedded}]}.
UNWIND $ids AS id
MATCH (k:Knowledge {id: id})-[:HAS_QUESTION]->(q:SimilarQuestion)
WITH id, q ORDER BY q.createdAt, q.key
RETURN id, collect(q {.id, .text, .language, .origin, .gapId, .createdAt, .createdBy, embedded: q.embedding IS NOT NULL}) AS questions
