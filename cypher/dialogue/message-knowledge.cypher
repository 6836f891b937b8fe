// The knowledge each message used, best first, filtered to what the caller may see.
// Params: $ids (message ids), $visibilities, $statuses. Returns: {id, items} per message.
UNWIND $ids AS id
MATCH (m:Message {id: id})-[u:USED]->(k:Knowledge)
WHERE {{visible-knowledge k}}
WITH id, u, k ORDER BY u.rank
RETURN id, collect(k {.*, embedding: null}) AS items
