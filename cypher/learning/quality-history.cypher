// The quality-score history of items, newest first (at most $limit each).
// Params: $ids, $limit. Returns: {id, history: [{score, evidenceScore, decay, inputs, reasons, at}]}.
UNWIND $ids AS id
MATCH (k:Knowledge {id: id})
OPTIONAL MATCH (q:QualityScore)-[:SCORE_OF]->(k)
WITH id, q ORDER BY q.at DESC
WITH id, collect(q {.score, .evidenceScore, .decay, .inputs, .reasons, .at})[..toInteger($limit)] AS history
RETURN id, history
