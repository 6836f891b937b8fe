// Entity-linking candidates for a message: fulltext over entity names and aliases (`entity_names`,
// cjk analyzer), one Lucene query per text (the message, and any mention spans a tagger found).
// Params: $queries (Lucene-escaped strings, non-empty), $limit. Returns: {id, name, type, aliases, score},
// best first. The caller keeps only candidates whose name or alias really occurs in the message.
UNWIND $queries AS q
CALL db.index.fulltext.queryNodes('entity_names', q, {limit: toInteger($limit)}) YIELD node AS e, score
WITH e, max(score) AS score
ORDER BY score DESC
LIMIT toInteger($limit)
RETURN e.id AS id, e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases, score
