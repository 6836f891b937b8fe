// Similar questions nearest to a customer's question, by embedding and by words, mapped to the visible
// facts they belong to: a fact scores by its best question. Used by retrieval before the hybrid query.
// Params: $vector (list | null), $model (null = any), $text (Lucene-escaped | null), $k, $visibilities, $statuses,
//   $languages (list | null).
// Returns: {id (the fact), question, score, via ('vector' | 'text')} — per fact and list, its best question.
CALL () {
  WITH $vector AS v WHERE v IS NOT NULL
  CALL db.index.vector.queryNodes('similar_question_embedding', toInteger($k * 3), v) YIELD node AS q, score
  WITH q, score WHERE $model IS NULL OR q.embeddingModel = $model
  RETURN q, score, 'vector' AS via
  UNION ALL
  WITH $text AS t WHERE t IS NOT NULL AND t <> ''
  CALL db.index.fulltext.queryNodes('similar_question_text', t, {limit: toInteger($k * 3)}) YIELD node AS q, score
  RETURN q, score, 'text' AS via
}
MATCH (k:Knowledge)-[:HAS_QUESTION]->(q)
WHERE {{visible-knowledge k}} AND ($languages IS NULL OR k.language IN $languages)
WITH k, via, q, score ORDER BY score DESC
WITH k, via, head(collect({text: q.text, score: score})) AS best
RETURN k.id AS id, best.text AS question, best.score AS score, via
ORDER BY score DESC
LIMIT toInteger($k * 2)
