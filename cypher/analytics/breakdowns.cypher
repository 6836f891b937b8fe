// Distributions over customer messages in [$from, $to): intents, sentiment, languages, channels, escalation reasons.
// Params: $from, $to, $top. Returns: one row of lists [{key, count}].
CALL () {
  MATCH (m:Message {role: 'customer'}) WHERE m.at >= datetime($from) AND m.at < datetime($to) AND m.intent IS NOT NULL
  WITH m.intent AS key, count(*) AS count ORDER BY count DESC, key LIMIT toInteger($top)
  RETURN collect({key: key, count: count}) AS intents
}
CALL () {
  MATCH (m:Message {role: 'customer'}) WHERE m.at >= datetime($from) AND m.at < datetime($to)
  WITH coalesce(m.sentiment, 'unknown') AS key, count(*) AS count ORDER BY count DESC
  RETURN collect({key: key, count: count}) AS sentiment
}
CALL () {
  MATCH (c:Conversation) WHERE c.createdAt >= datetime($from) AND c.createdAt < datetime($to)
  WITH coalesce(c.language, 'unknown') AS key, count(*) AS count ORDER BY count DESC
  RETURN collect({key: key, count: count}) AS languages
}
CALL () {
  MATCH (c:Conversation) WHERE c.createdAt >= datetime($from) AND c.createdAt < datetime($to)
  WITH coalesce(c.channel, 'unknown') AS key, count(*) AS count ORDER BY count DESC
  RETURN collect({key: key, count: count}) AS channels
}
CALL () {
  MATCH (c:Conversation) WHERE c.createdAt >= datetime($from) AND c.createdAt < datetime($to) AND c.escalationReason IS NOT NULL
  WITH c.escalationReason AS key, count(*) AS count ORDER BY count DESC
  RETURN collect({key: key, count: count}) AS escalationReasons
}
RETURN intents, sentiment, languages, channels, escalationReasons
