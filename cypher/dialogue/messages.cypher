// The transcript of conversations, oldest first, at most $limit messages each (the latest ones).
// Params: $ids (conversation ids), $limit. Returns: {id, messages} per conversation that has messages.
UNWIND $ids AS cid
MATCH (m:Message {conversationId: cid})
WITH cid, m ORDER BY m.seq DESC
WITH cid, collect(m {.*})[..toInteger($limit)] AS latest
RETURN cid AS id, reverse(latest) AS messages
