// Conversation-level ingredients of the analytics buckets, from the raw graph, for conversations that
// started in [$from, $to), grouped by period start (datetime.truncate($grain, createdAt)), channel and language.
// Params: $from, $to (ISO date-times), $grain ('hour' for folds; 'year' for a whole-window raw scan).
// Returns per group: {start, channel, language, conversations, handedOff, humanReplied, resolved, csat (list of
//   1–5 scores), nps (list of 0–10 scores), firstResponse, handoffWait, resolution (lists of seconds), reasons (list)}.
MATCH (c:Conversation) WHERE c.createdAt >= datetime($from) AND c.createdAt < datetime($to)
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_MESSAGE]->(m:Message)
  WITH m ORDER BY m.seq
  WITH collect(m {.role, .at, .language}) AS ms
  WITH ms, [x IN ms WHERE x.role = 'customer'] AS asked
  WITH ms, asked, CASE WHEN size(asked) > 0 THEN asked[0].at END AS firstAsked
  RETURN firstAsked,
         head([x IN ms WHERE x.role IN ['bot', 'agent'] AND firstAsked IS NOT NULL AND x.at >= firstAsked | x.at]) AS firstReply,
         head([x IN ms WHERE x.role = 'agent' | x.at]) AS firstAgent,
         head([x IN asked WHERE x.language IS NOT NULL | x.language]) AS askedLanguage
}
WITH c, firstAsked, firstReply, firstAgent, askedLanguage,
     datetime.truncate($grain, c.createdAt) AS start,
     coalesce(c.channel, 'unknown') AS channel,
     coalesce(c.language, askedLanguage, 'unknown') AS language
WITH start, channel, language, c, firstReply, firstAgent,
     CASE WHEN firstReply IS NOT NULL THEN duration.inSeconds(firstAsked, firstReply) END AS frt,
     CASE WHEN c.escalatedAt IS NOT NULL AND firstAgent IS NOT NULL AND firstAgent >= c.escalatedAt
          THEN duration.inSeconds(c.escalatedAt, firstAgent) END AS wait,
     CASE WHEN c.resolvedAt IS NOT NULL THEN duration.inSeconds(c.createdAt, c.resolvedAt) END AS res
RETURN start, channel, language,
       count(c) AS conversations,
       sum(CASE WHEN c.escalatedAt IS NOT NULL OR firstAgent IS NOT NULL THEN 1 ELSE 0 END) AS handedOff,
       sum(CASE WHEN firstAgent IS NOT NULL THEN 1 ELSE 0 END) AS humanReplied,
       sum(CASE WHEN c.resolvedAt IS NOT NULL THEN 1 ELSE 0 END) AS resolved,
       collect(c.csat) AS csat,
       collect(c.nps) AS nps,
       collect(frt.seconds + frt.nanosecondsOfSecond / 1e9) AS firstResponse,
       collect(wait.seconds + wait.nanosecondsOfSecond / 1e9) AS handoffWait,
       collect(res.seconds + res.nanosecondsOfSecond / 1e9) AS resolution,
       collect(c.escalationReason) AS reasons
