// Keyed counts of the analytics buckets, from the raw graph, for messages in [$from, $to), grouped by period
// start, channel, language and key (`prefix:value`, see src/analytics/bucket.ts): intents and emotions of customer
// messages (the emotion, else the sentiment), entities mentioned in negative ones (negative, angry, sad, fear), knowledge used by bot answers and how those were rated,
// and per intent how its questions were answered and rated.
// Params: $from, $to (ISO), $grain. Returns: {start, channel, language, key, count}.
MATCH (m:Message) WHERE m.at >= datetime($from) AND m.at < datetime($to) AND m.role IN ['customer', 'bot']
MATCH (c:Conversation {id: m.conversationId})
WITH m, datetime.truncate($grain, m.at) AS start, coalesce(c.channel, 'unknown') AS channel, coalesce(m.language, c.language, 'unknown') AS language
CALL (m) {
  WITH m WHERE m.role = 'customer'
  WITH m, coalesce(m.emotion, m.sentiment) AS emotion
  OPTIONAL MATCH (m)-[:MENTIONS]->(e:Entity) WHERE emotion IN ['negative', 'angry', 'sad', 'fear']
  WITH m, emotion, collect(DISTINCT 'neg:' + e.id) AS neg
  RETURN CASE WHEN m.intent IS NULL THEN [] ELSE ['intent:' + m.intent] END
         + ['emotion:' + coalesce(emotion, 'unknown')] + neg AS keys
  UNION
  WITH m WHERE m.role = 'bot' AND m.replyTo IS NOT NULL
  OPTIONAL MATCH (q:Message {id: m.replyTo})
  OPTIONAL MATCH (m)-[:USED]->(k:Knowledge)
  WITH m, q, collect(DISTINCT k.id) AS used
  RETURN [id IN used | 'ku:' + id]
         + CASE m.helpful WHEN true THEN [id IN used | 'kh:' + id] WHEN false THEN [id IN used | 'kn:' + id] ELSE [] END
         + CASE WHEN q.intent IS NULL THEN [] ELSE
             CASE WHEN m.kind <> 'none' THEN ['ianswered:' + q.intent] ELSE [] END
             + CASE m.helpful WHEN true THEN ['ihelpful:' + q.intent] WHEN false THEN ['inothelpful:' + q.intent] ELSE [] END
           END AS keys
}
UNWIND keys AS key
RETURN start, channel, language, key, count(*) AS count
