// Marks a delivery for another round of attempts (replay). Params: $id. Returns: {delivery, webhookStatus}; nothing when unknown.
MATCH (w:Webhook)-[:DELIVERS]->(d:WebhookDelivery {id: $id})
SET d.status = 'PENDING', d.replays = coalesce(d.replays, 0) + 1
RETURN d {.*, payload: null} AS delivery, w.status AS webhookStatus
