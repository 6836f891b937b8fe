// Replaces a conversation's customer context (personal data already masked or encrypted) and the context
// connector's last error. Params: $id, $customerContext (JSON string), $contextError (JSON string, nullable).
// Returns: {conversation}; nothing when it does not exist.
MATCH (c:Conversation {id: $id})
SET c.customerContext = $customerContext, c.contextError = $contextError, c.updatedAt = datetime()
RETURN c {.*} AS conversation
