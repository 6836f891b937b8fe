// Headline figures for conversations that started in [$from, $to): volume, escalation, containment,
// answer quality, latency, satisfaction.
// Params: $from, $to (ISO date-times). Returns: one row.
CALL () {
  MATCH (c:Conversation) WHERE c.createdAt >= datetime($from) AND c.createdAt < datetime($to)
  RETURN count(c) AS conversations,
         count(c.escalatedAt) AS escalated,
         sum(CASE WHEN c.status = 'RESOLVED' THEN 1 ELSE 0 END) AS resolved,
         avg(c.messageCount) AS avgMessages,
         avg(c.csat) AS csat, count(c.csat) AS csatResponses
}
CALL () {
  MATCH (m:Message) WHERE m.at >= datetime($from) AND m.at < datetime($to)
  WITH m
  RETURN sum(CASE WHEN m.role = 'customer' THEN 1 ELSE 0 END) AS customerMessages,
         sum(CASE WHEN m.role = 'bot' THEN 1 ELSE 0 END) AS botMessages,
         sum(CASE WHEN m.role = 'agent' THEN 1 ELSE 0 END) AS agentMessages,
         avg(CASE WHEN m.role = 'bot' THEN m.confidence END) AS avgConfidence,
         sum(CASE WHEN m.role = 'bot' AND m.kind = 'none' THEN 1 ELSE 0 END) AS unanswered,
         sum(CASE WHEN m.role = 'customer' AND m.outOfScope THEN 1 ELSE 0 END) AS outOfScope,
         percentileDisc(CASE WHEN m.role = 'bot' THEN m.latencyMs END, 0.5) AS latencyP50,
         percentileDisc(CASE WHEN m.role = 'bot' THEN m.latencyMs END, 0.95) AS latencyP95,
         sum(CASE WHEN m.helpful = true THEN 1 ELSE 0 END) AS helpful,
         sum(CASE WHEN m.helpful = false THEN 1 ELSE 0 END) AS notHelpful
}
RETURN conversations, escalated, resolved, avgMessages, csat, csatResponses, customerMessages, botMessages, agentMessages,
       avgConfidence, unanswered, outOfScope, latencyP50, latencyP95, helpful, notHelpful
