// Creates a conversation. Params: $id, $channel, $language, $customerContext (JSON string, personal data
// already masked or encrypted), $ownerKeyId, $visitorId (nullable), $customerId (nullable).
// Returns: {conversation}.
CREATE (c:Conversation {id: $id, channel: $channel, language: $language, customerContext: $customerContext,
                        ownerKeyId: $ownerKeyId, visitorId: $visitorId, customerId: $customerId, status: 'BOT', messageCount: 0, createdAt: datetime(), updatedAt: datetime()})
RETURN c {.*} AS conversation
