// A gap cluster's question texts, oldest first, without a lock (to validate and embed them before the
// write transaction, which reads them again under the lock).
// Params: $id. Returns: {id, texts}; none when it does not exist.
MATCH (g:GapCluster {id: $id})
OPTIONAL MATCH (q:Message)-[:IN_GAP]->(g)
WITH g, q ORDER BY q.at
RETURN g.id AS id, collect(q.text) AS texts
