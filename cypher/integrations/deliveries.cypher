// The delivery log of webhooks, newest first. Params: $ids (webhook ids), $limit. Returns: {id, deliveries} per webhook.
UNWIND $ids AS id
MATCH (w:Webhook {id: id})
CALL (w) {
  OPTIONAL MATCH (w)-[:DELIVERS]->(d:WebhookDelivery)
  WITH d ORDER BY d.createdAt DESC, d.id LIMIT toInteger($limit)
  RETURN collect(d {.*, payload: null}) AS deliveries
}
RETURN w.id AS id, deliveries
