// Replaces analytics buckets with freshly folded contents (a fold recomputes a period from the raw graph, so
// writing the whole bucket is idempotent). Params: $rows: [{id, grain, start (ISO), channel, language, counts
// (list of floats, see src/analytics/bucket.ts), keys (list of `prefix:value`), vals (list of floats)}].
// Returns: {written}.
UNWIND $rows AS r
MERGE (b:AnalyticsBucket {id: r.id})
SET b.grain = r.grain, b.start = datetime(r.start), b.channel = r.channel, b.language = r.language,
    b.counts = r.counts, b.keys = r.keys, b.vals = r.vals, b.foldedAt = datetime()
RETURN count(b) AS written
