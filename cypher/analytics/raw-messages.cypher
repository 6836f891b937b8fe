// Message-level ingredients of the analytics buckets, from the raw graph, for messages in [$from, $to),
// grouped by period start (datetime.truncate($grain, m.at)), the conversation's channel and the message's language.
// Params: $from, $to (ISO date-times), $grain ('hour' for folds; 'year' for a whole-window raw scan).
// Returns per group: {start, channel, language, messages, customerMessages, botMessages, agentMessages, botAnswers,
//   unanswered, outOfScope, helpful, notHelpful, confidenceSum, confidenceCount, latency (list of ms)}.
MATCH (m:Message) WHERE m.at >= datetime($from) AND m.at < datetime($to)
MATCH (c:Conversation {id: m.conversationId})
WITH m, datetime.truncate($grain, m.at) AS start, coalesce(c.channel, 'unknown') AS channel, coalesce(m.language, c.language, 'unknown') AS language
RETURN start, channel, language,
       count(m) AS messages,
       sum(CASE WHEN m.role = 'customer' THEN 1 ELSE 0 END) AS customerMessages,
       sum(CASE WHEN m.role = 'bot' THEN 1 ELSE 0 END) AS botMessages,
       sum(CASE WHEN m.role = 'agent' THEN 1 ELSE 0 END) AS agentMessages,
       sum(CASE WHEN m.role = 'bot' AND m.replyTo IS NOT NULL THEN 1 ELSE 0 END) AS botAnswers,
       sum(CASE WHEN m.role = 'bot' AND m.replyTo IS NOT NULL AND m.kind = 'none' THEN 1 ELSE 0 END) AS unanswered,
       sum(CASE WHEN m.role = 'customer' AND m.outOfScope THEN 1 ELSE 0 END) AS outOfScope,
       sum(CASE WHEN m.role = 'bot' AND m.helpful = true THEN 1 ELSE 0 END) AS helpful,
       sum(CASE WHEN m.role = 'bot' AND m.helpful = false THEN 1 ELSE 0 END) AS notHelpful,
       sum(CASE WHEN m.role = 'bot' AND m.replyTo IS NOT NULL THEN coalesce(m.confidence, 0.0) ELSE 0.0 END) AS confidenceSum,
       sum(CASE WHEN m.role = 'bot' AND m.replyTo IS NOT NULL AND m.confidence IS NOT NULL THEN 1 ELSE 0 END) AS confidenceCount,
       collect(CASE WHEN m.role = 'bot' AND m.replyTo IS NOT NULL THEN m.latencyMs END) AS latency
