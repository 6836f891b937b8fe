// The latest customer messages with a negative emotion (angry, sad, fear; else negative sentiment) (text PII-masked as stored) mentioning any of these entities in
// [$from, $to), found through the Message time index: one pass over a short recent window serves every entity.
// Params: $entityIds, $from, $to (ISO), $channel, $language (null: all), $examples (per entity).
// Returns: {id, name, type, examples: [{id, conversationId, text, at, language, emotion}]} per entity found.
MATCH (m:Message) WHERE m.at >= datetime($from) AND m.at < datetime($to) AND m.role = 'customer'
  AND coalesce(m.emotion, m.sentiment) IN ['negative', 'angry', 'sad', 'fear'] AND ($language IS NULL OR coalesce(m.language, 'unknown') = $language)
MATCH (m)-[:MENTIONS]->(e:Entity) WHERE e.id IN $entityIds
MATCH (c:Conversation {id: m.conversationId}) WHERE $channel IS NULL OR coalesce(c.channel, 'unknown') = $channel
WITH e, m ORDER BY m.at DESC
WITH e, collect(m {.id, .conversationId, .text, .at, .language, emotion: coalesce(m.emotion, m.sentiment)}) AS found
RETURN e.id AS id, e.name AS name, e.type AS type, found[0..toInteger($examples)] AS examples
