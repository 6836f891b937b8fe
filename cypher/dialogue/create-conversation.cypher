// Creates a conversation. Params: $id, $channel, $language, $customerContext (JSON string, personal data
// already masked or encrypted), $ownerKeyId, $visitorId (nullable), $customerId (nullable), $contextError (JSON string, nullable:
// why the context connector gave nothing).
// Returns: {conversation}.
CREATE (c:Conversation {id: $id, channel: $channel, language: $language, customerContext: $customerContext,
                        ownerKeyId: $ownerKeyId, visitorId: $visitorId, customerId: $customerId, contextError: $contextError, status: 'BOT', messageCount: 0, createdAt: datetime(), updatedAt: datetime()})
RETURN c {.*} AS conversation
