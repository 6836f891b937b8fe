// Creates a conversation. Params: $id, $channel, $language, $customerContext (JSON string), $ownerKeyId.
// Returns: {conversation}.
CREATE (c:Conversation {id: $id, channel: $channel, language: $language, customerContext: $customerContext,
                        ownerKeyId: $ownerKeyId, status: 'BOT', messageCount: 0, createdAt: datetime(), updatedAt: datetime()})
RETURN c {.*} AS conversation
