// Analytics: time-bucket aggregates (one node per grain, period start, channel and language) and the
// time indexes the folds and raw scans read conversations and messages by.
CREATE CONSTRAINT analytics_bucket_id IF NOT EXISTS FOR (b:AnalyticsBucket) REQUIRE b.id IS UNIQUE;
CREATE INDEX analytics_bucket_start IF NOT EXISTS FOR (b:AnalyticsBucket) ON (b.grain, b.start);
CREATE INDEX conversation_created IF NOT EXISTS FOR (c:Conversation) ON (c.createdAt);
CREATE INDEX message_at IF NOT EXISTS FOR (m:Message) ON (m.at);
