// Locks a gap cluster for an editor's action and returns it with the distinct texts of its questions.
// Params: $id. Returns: {id, version, status, language, leader, texts}; none when it does not exist.
MATCH (g:GapCluster {id: $id})
SET g._lock = true
REMOVE g._lock
WITH g
OPTIONAL MATCH (q:Message)-[:IN_GAP]->(g)
WITH g, q ORDER BY q.at
RETURN g.id AS id, g.version AS version, g.status AS status, g.language AS language, g.leaderText AS leader, collect(q.text) AS texts
