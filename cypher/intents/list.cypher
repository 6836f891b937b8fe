// A page of intents with their handlers (visible ones only), by name.
// Params: $skip, $limit, $visibilities, $statuses. Returns: one row {total, items}.
CALL () { MATCH (i:Intent) RETURN count(i) AS total }
CALL () {
  MATCH (i:Intent)
  WITH i ORDER BY i.name SKIP toInteger($skip) LIMIT toInteger($limit)
  OPTIONAL MATCH (i)-[h:HANDLED_BY]->(k:Knowledge)
  WHERE {{visible-knowledge k}}
  WITH i, collect(CASE WHEN k IS NULL THEN null ELSE {knowledgeId: k.id, language: h.language, kind: k.kind} END) AS handlers
  RETURN collect(i {.id, .name, .externalId, .language, .examples, handlers: handlers}) AS items
}
RETURN total, items
