// Conversations by id. Params: $ids. Returns: {conversation} per existing id.
UNWIND $ids AS id
MATCH (c:Conversation {id: id})
RETURN c {.*} AS conversation
