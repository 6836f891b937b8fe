// Stored analytics buckets covering a window: one range per grain (months, then days and hours at the edges).
// Params: $ranges: [{grain, from, to (ISO)}], $channel, $language (null: all), $families (which keyed counts to
// return: any of 'core', 'emotion', 'complaint', 'knowledge'; each is its own pair of arrays on the node).
// Returns: {grain, start, channel, language, counts, keys, vals}.
UNWIND $ranges AS r
MATCH (b:AnalyticsBucket {grain: r.grain})
WHERE b.start >= datetime(r.from) AND b.start < datetime(r.to)
  AND ($channel IS NULL OR b.channel = $channel) AND ($language IS NULL OR b.language = $language)
RETURN b.grain AS grain, b.start AS start, b.channel AS channel, b.language AS language, b.counts AS counts,
       CASE WHEN 'core' IN $families THEN coalesce(b.keys, []) ELSE [] END + CASE WHEN 'emotion' IN $families THEN coalesce(b.ekeys, []) ELSE [] END
       + CASE WHEN 'complaint' IN $families THEN coalesce(b.nkeys, []) ELSE [] END + CASE WHEN 'knowledge' IN $families THEN coalesce(b.kkeys, []) ELSE [] END AS keys,
       CASE WHEN 'core' IN $families THEN coalesce(b.vals, []) ELSE [] END + CASE WHEN 'emotion' IN $families THEN coalesce(b.evals, []) ELSE [] END
       + CASE WHEN 'complaint' IN $families THEN coalesce(b.nvals, []) ELSE [] END + CASE WHEN 'knowledge' IN $families THEN coalesce(b.kvals, []) ELSE [] END AS vals
