// Records the progress of a re-embedding.
// Params: $fields (map of target, status, done, total, jobId, error), $started (bool: startedAt = now,
//   finishedAt cleared), $finished (bool: finishedAt = now). Returns: {model}.
MERGE (s:EmbeddingState {id: 'knowledge'})
SET s += $fields
SET s.startedAt = CASE WHEN $started THEN datetime() ELSE s.startedAt END,
    s.finishedAt = CASE WHEN $started THEN null WHEN $finished THEN datetime() ELSE s.finishedAt END
RETURN s.model AS model
