// Replaces analytics buckets with freshly folded contents (a fold recomputes a period from the raw graph, so
// writing the whole bucket is idempotent). Params: $rows: [{id, grain, start (ISO), channel, language, counts
// (list of floats, see src/analytics/bucket.ts), families: [{keys, vals}] × 4 in the order core, emotion,
// complaint, knowledge (keys `prefix:value`, vals counts)}]. Returns: {written}.
UNWIND $rows AS r
MERGE (b:AnalyticsBucket {id: r.id})
SET b.grain = r.grain, b.start = datetime(r.start), b.channel = r.channel, b.language = r.language, b.counts = r.counts,
    b.keys = r.families[0].keys, b.vals = r.families[0].vals, b.ekeys = r.families[1].keys, b.evals = r.families[1].vals,
    b.nkeys = r.families[2].keys, b.nvals = r.families[2].vals, b.kkeys = r.families[3].keys, b.kvals = r.families[3].vals,
    b.foldedAt = datetime()
RETURN count(b) AS written
