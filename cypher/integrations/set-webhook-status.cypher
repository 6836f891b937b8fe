// Enables (and clears the failure run) or disables a webhook. Params: $id, $status ('ACTIVE' | 'DISABLED').
// Returns: {webhook}; nothing when it does not exist.
MATCH (w:Webhook {id: $id})
SET w.status = $status, w.consecutiveFailures = CASE WHEN $status = 'ACTIVE' THEN 0 ELSE w.consecutiveFailures END,
    w.disabledAt = CASE WHEN $status = 'ACTIVE' THEN null ELSE coalesce(w.disabledAt, datetime()) END
RETURN w {.*, secret: null} AS webhook
