// Whether the buckets were ever built for the conversations already in the graph, and where those start.
// Params: none. Returns: {done (bool), first (ISO of the oldest conversation, or null)}.
OPTIONAL MATCH (s:AnalyticsState {id: 'buckets'})
CALL () {
  MATCH (c:Conversation) WHERE c.createdAt IS NOT NULL
  RETURN c.createdAt AS first ORDER BY c.createdAt LIMIT 1
}
RETURN s IS NOT NULL AS done, toString(first) AS first
UNION
OPTIONAL MATCH (s:AnalyticsState {id: 'buckets'})
WITH s WHERE NOT EXISTS { MATCH (:Conversation) }
RETURN s IS NOT NULL AS done, null AS first
