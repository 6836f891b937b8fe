// Which knowledge answered customers in [$from, $to), and how those answers were rated.
// Params: $from, $to, $top, $visibilities, $statuses (the caller's access: no item leaks through analytics).
// Returns: {id, uses, helpful, notHelpful} per item, most used first.
MATCH (m:Message) WHERE m.at >= datetime($from) AND m.at < datetime($to)
MATCH (m)-[:USED]->(k:Knowledge)
WHERE k.visibility IN $visibilities AND k.status IN $statuses
WITH k, count(DISTINCT m) AS uses,
     sum(CASE WHEN m.helpful = true THEN 1 ELSE 0 END) AS helpful,
     sum(CASE WHEN m.helpful = false THEN 1 ELSE 0 END) AS notHelpful
ORDER BY uses DESC, k.id LIMIT toInteger($top)
RETURN k.id AS id, uses, helpful, notHelpful
