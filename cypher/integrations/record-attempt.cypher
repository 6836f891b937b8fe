// Records one delivery attempt. $outcome: DELIVERED (2xx), RETRYING (failed, more attempts follow) or FAILED
// (the last attempt failed). A delivery resets the webhook's run of failures; a final failure extends it and
// disables the webhook once it reaches $disableAfter.
// Params: $id, $outcome, $statusCode (nullable), $error (nullable), $disableAfter. Returns: {delivery, webhookStatus}.
MATCH (w:Webhook)-[:DELIVERS]->(d:WebhookDelivery {id: $id})
SET d.attempts = coalesce(d.attempts, 0) + 1, d.status = $outcome, d.lastStatusCode = $statusCode, d.lastError = $error,
    d.lastAttemptAt = datetime(),
    d.deliveredAt = CASE WHEN $outcome = 'DELIVERED' THEN datetime() ELSE d.deliveredAt END
SET w.consecutiveFailures = CASE $outcome WHEN 'DELIVERED' THEN 0 WHEN 'FAILED' THEN coalesce(w.consecutiveFailures, 0) + 1 ELSE w.consecutiveFailures END
SET w.status = CASE WHEN w.consecutiveFailures >= $disableAfter THEN 'DISABLED' ELSE w.status END,
    w.disabledAt = CASE WHEN w.consecutiveFailures >= $disableAfter AND w.disabledAt IS NULL THEN datetime() ELSE w.disabledAt END
RETURN d {.*, payload: null} AS delivery, w.status AS webhookStatus
