// Conversations past retention: no message (or, without messages, no start) since $before, not yet erased.
// Params: $before (ISO datetime), $limit. Returns: {id} per conversation, oldest first.
MATCH (c:Conversation)
WHERE c.erasedAt IS NULL AND coalesce(c.lastMessageAt, c.createdAt) < datetime($before)
RETURN c.id AS id
ORDER BY coalesce(c.lastMessageAt, c.createdAt)
LIMIT toInteger($limit)
