// Creates a webhook subscription. Params: $id, $url, $events (list of event types), $description (nullable),
// $secret (encrypted when a field key is configured), $createdBy. Returns: {webhook} without its secret.
CREATE (w:Webhook {id: $id, url: $url, events: $events, description: $description, secret: $secret, status: 'ACTIVE',
                   consecutiveFailures: 0, createdAt: datetime(), createdBy: $createdBy})
RETURN w {.*, secret: null} AS webhook
