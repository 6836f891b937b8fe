// The embedding state: the served model and the re-embedding in progress (if any).
// Returns: {model, target, status, done, total, jobId, error, startedAt, finishedAt} or no row.
MATCH (s:EmbeddingState {id: 'knowledge'})
RETURN s.model AS model, s.target AS target, s.status AS status, s.done AS done, s.total AS total, s.jobId AS jobId,
       s.error AS error, toString(s.startedAt) AS startedAt, toString(s.finishedAt) AS finishedAt
