// A page of releases, newest first. Params: $skip, $limit. Returns one row: {total, ids}.
MATCH (r:Release)
WITH r ORDER BY r.createdAt DESC, r.id
WITH collect(r.id) AS ids
RETURN size(ids) AS total, ids[toInteger($skip)..toInteger($skip + $limit)] AS ids
