// Creates new gap clusters and files questions into clusters; each cluster touched gets a new version.
// Params: $clusters: [{id, language, text, vector (nullable), model (nullable)}] (new ones),
//   $rows: [{messageId, clusterId, reason}]. A question already filed elsewhere is skipped.
// Returns: {clusters} touched.
CALL () {
  UNWIND $clusters AS c
  CREATE (:GapCluster {id: c.id, language: c.language, leaderText: c.text, leaderEmbedding: c.vector, leaderModel: c.model,
                       status: 'OPEN', version: 0, size: 0, createdAt: datetime(), updatedAt: datetime()})
}
UNWIND $rows AS row
MATCH (g:GapCluster {id: row.clusterId})
MATCH (q:Message {id: row.messageId})
WHERE NOT EXISTS { (q)-[:IN_GAP]->() }
CREATE (q)-[:IN_GAP {reason: row.reason, at: datetime()}]->(g)
WITH g, count(q) AS n, min(q.at) AS first, max(q.at) AS last
SET g.size = g.size + n, g.version = g.version + 1, g.updatedAt = datetime(),
    g.firstAt = CASE WHEN g.firstAt IS NULL OR first < g.firstAt THEN first ELSE g.firstAt END,
    g.lastAt = CASE WHEN g.lastAt IS NULL OR last > g.lastAt THEN last ELSE g.lastAt END
RETURN count(g) AS clusters
