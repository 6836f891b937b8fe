// Deletes buckets of one grain starting in [$from, $to) that a fold did not write again (their channel or
// language no longer has data there, e.g. after an erasure). Params: $grain, $from, $to (ISO), $keep (ids).
// Returns: {deleted}.
MATCH (b:AnalyticsBucket {grain: $grain}) WHERE b.start >= datetime($from) AND b.start < datetime($to) AND NOT b.id IN $keep
DETACH DELETE b
RETURN count(*) AS deleted
