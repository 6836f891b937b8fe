// One delivery record per subscription for an event; idempotent (the same event for the same webhook is one
// delivery, so an event emitted twice, e.g. by two API replicas, is delivered once).
// Params: $rows: [{id, webhookId, eventId, eventType, payload (sealed JSON)}]. Returns: {id} per delivery created now.
UNWIND $rows AS row
MATCH (w:Webhook {id: row.webhookId})
MERGE (d:WebhookDelivery {id: row.id})
ON CREATE SET d.webhookId = row.webhookId, d.eventId = row.eventId, d.eventType = row.eventType, d.payload = row.payload,
              d.status = 'PENDING', d.attempts = 0, d.createdAt = datetime(), d.new = true
MERGE (w)-[:DELIVERS]->(d)
WITH d, coalesce(d.new, false) AS created
REMOVE d.new
WITH d, created WHERE created
RETURN d.id AS id
