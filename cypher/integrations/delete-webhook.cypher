// Deletes a webhook and its delivery log. Params: $id. Returns: {deleted} (0 or 1).
OPTIONAL MATCH (w:Webhook {id: $id})
OPTIONAL MATCH (w)-[:DELIVERS]->(d:WebhookDelivery)
DETACH DELETE d
WITH DISTINCT w
DETACH DELETE w
RETURN count(w) AS deleted
