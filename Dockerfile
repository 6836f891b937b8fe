# syntax=docker/dockerfile:1.7
# answergraph: one image for both roles (`api`, `worker`; `all` for a single box).
#
#   docker build -t answergraph .                       # target `app`: models mounted at run time (/models)
#   docker build -t answergraph:with-models --target with-models \
#     --build-context models="$HOME/.cache/answergraph/models" .   # models (built by `npm run models`) baked in
#
#   docker run -e NEO4J_URI=neo4j+s://… -e NEO4J_PASSWORD=… -e REDIS_URL=redis+cluster://… \
#     -v "$HOME/.cache/answergraph/models:/models:ro" -p 4000:4000 answergraph api
#
# Models are built from the training recipes and datasets (`npm run models`, Python), not in this image:
# build them once, then mount the directory (a read-only volume shared by every pod) or bake it in with the
# `with-models` target. /readyz stays 503 until every model the role needs is there and matches its sha256.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: dependencies, TypeScript, the web console ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
COPY scripts/build-console.mjs ./scripts/build-console.mjs
RUN npm run build && node scripts/build-console.mjs --force \
  && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production dependencies and the build, run as a non-root user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    SEED_ON_EMPTY=false \
    ANSWERGRAPH_MODELS_DIR=/models
WORKDIR /app
# Root owns the code (read-only to the app); the app user owns nothing it could rewrite.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY cypher ./cypher
COPY seeds ./seeds
# Read at run time: the model catalogue (readiness names what builds a missing model) and the ranker weights.
COPY training/models.json ./training/models.json
COPY src/retrieval/ranker-weights.json ./src/retrieval/ranker-weights.json
RUN mkdir -p /models && chown node:node /models
USER node
EXPOSE 4000
# /readyz: Neo4j, Redis and the role's models answer (both roles serve it on PORT; the worker serves only
# /healthz, /readyz and /metrics). Orchestrators use their own probes (deploy/kubernetes).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Signals reach node directly (exec form): SIGTERM drains requests and lets jobs in hand finish.
ENTRYPOINT ["node", "dist/main.js"]
CMD ["api"]

# ---- with-models: the runtime with the models directory baked in ----
FROM runtime AS with-models
COPY --from=models --chown=root:root . /models

# ---- default target (last stage): the runtime, models mounted ----
FROM runtime AS app
