// Records an erasure for audit: who asked, when, which conversations — and a SHA-256 of the customer
// id, never the id itself (the point of erasure), so a later request for the same customer can be matched.
// Params: $id, $customerHash (nullable: a retention sweep), $reason ('request' | 'retention'), $actor, $actorName,
//   $conversationIds, $messages, $feedback.
// Returns: {id}.
CREATE (e:ErasureEvent {id: $id, at: datetime(), customerHash: $customerHash, reason: $reason, actor: $actor, actorName: $actorName,
                        conversationIds: $conversationIds, conversations: size($conversationIds), messages: $messages, feedback: $feedback})
RETURN e.id AS id
