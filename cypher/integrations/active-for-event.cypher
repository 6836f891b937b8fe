// Active subscriptions to an event type. Params: $type. Returns: {id} per webhook.
MATCH (w:Webhook {status: 'ACTIVE'})
WHERE $type IN w.events
RETURN w.id AS id
