// Customer questions the bot could not answer well in [$from, $to): its reply was `none`, below
// $minConfidence, or rated not helpful. Texts are stored PII-masked. Grouped by text, most frequent first.
// Params: $from, $to, $top, $minConfidence. Returns: {question, count, lastAt, language}.
MATCH (q:Message {role: 'customer'})<-[:HAS_MESSAGE]-(c:Conversation)-[:HAS_MESSAGE]->(a:Message {role: 'bot'})
WHERE q.at >= datetime($from) AND q.at < datetime($to) AND a.seq = q.seq + 1
  AND (a.kind = 'none' OR a.confidence < $minConfidence OR a.helpful = false)
  AND coalesce(a.kind, '') <> 'smalltalk'
WITH toLower(trim(q.text)) AS key, q
WITH key, count(*) AS count, max(q.at) AS lastAt, head(collect(q.text)) AS question, head(collect(q.language)) AS language
ORDER BY count DESC, lastAt DESC LIMIT toInteger($top)
RETURN question, count, lastAt, language
