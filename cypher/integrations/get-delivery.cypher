// A delivery with its webhook (secret included: for signing only). Params: $id. Returns: {delivery, webhook}.
MATCH (w:Webhook)-[:DELIVERS]->(d:WebhookDelivery {id: $id})
RETURN d {.*} AS delivery, w {.*} AS webhook
