// Every webhook subscription (without secrets), newest first. Params: none. Returns: {webhook} per subscription.
MATCH (w:Webhook)
RETURN w {.*, secret: null} AS webhook
ORDER BY w.createdAt DESC
