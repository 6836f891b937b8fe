// Stored analytics buckets covering a window: one range per grain (months, then days and hours at the edges).
// Params: $ranges: [{grain, from, to (ISO)}], $channel, $language (null: all), $prefixes (null: every keyed count;
// otherwise only keys starting with one of them, e.g. ['emotion:']).
// Returns: {grain, start, channel, language, counts, keys, vals}.
UNWIND $ranges AS r
MATCH (b:AnalyticsBucket {grain: r.grain})
WHERE b.start >= datetime(r.from) AND b.start < datetime(r.to)
  AND ($channel IS NULL OR b.channel = $channel) AND ($language IS NULL OR b.language = $language)
WITH b, CASE WHEN $prefixes IS NULL THEN range(0, size(b.keys) - 1)
             ELSE [i IN range(0, size(b.keys) - 1) WHERE any(p IN $prefixes WHERE b.keys[i] STARTS WITH p)] END AS picked
RETURN b.grain AS grain, b.start AS start, b.channel AS channel, b.language AS language, b.counts AS counts,
       [i IN picked | b.keys[i]] AS keys, [i IN picked | b.vals[i]] AS vals
