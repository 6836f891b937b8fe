// Recent customer messages with a negative emotion (angry, sad, fear; else negative sentiment) (text PII-masked as stored) that mention each entity, in [$from, $to).
// Params: $entityIds, $from, $to (ISO), $channel, $language (null: all), $examples (how many per entity).
// Returns: {id, name, type, examples: [{id, conversationId, text, at, language, emotion}]} per entity that exists.
UNWIND $entityIds AS eid
MATCH (e:Entity {id: eid})
CALL (e) {
  MATCH (e)<-[:MENTIONS]-(m:Message {role: 'customer'})
  WHERE m.at >= datetime($from) AND m.at < datetime($to) AND coalesce(m.emotion, m.sentiment) IN ['negative', 'angry', 'sad', 'fear']
    AND ($language IS NULL OR coalesce(m.language, 'unknown') = $language)
  MATCH (c:Conversation {id: m.conversationId}) WHERE $channel IS NULL OR coalesce(c.channel, 'unknown') = $channel
  WITH m ORDER BY m.at DESC LIMIT toInteger($examples)
  RETURN collect(m {.id, .conversationId, .text, .at, .language, emotion: coalesce(m.emotion, m.sentiment)}) AS examples
}
RETURN e.id AS id, e.name AS name, e.type AS type, examples
