// The hours whose buckets a change to these conversations or messages affects: the hour each conversation
// started in and the hours of all its messages (none yet for a conversation just started). Params: $conversationIds, $messageIds.
// Returns: {hour} (ISO, truncated to the hour), distinct.
CALL () {
  UNWIND $messageIds AS mid
  MATCH (m:Message {id: mid})
  RETURN m.conversationId AS cid
  UNION
  UNWIND $conversationIds AS cid
  RETURN cid
}
MATCH (c:Conversation {id: cid})
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_MESSAGE]->(m:Message)
  RETURN [at IN collect(m.at) | datetime.truncate('hour', at)] AS hours
}
UNWIND [datetime.truncate('hour', c.createdAt)] + hours AS hour
RETURN DISTINCT toString(hour) AS hour
