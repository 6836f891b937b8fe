import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';

const require = createRequire(import.meta.url);
/** A file inside an installed package (UMD builds are not in the packages' export maps). */
const packageFile = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/**
 * A GraphiQL page served entirely from our own npm packages (no CDN): graphiql's UMD bundle
 * with React 18's UMD builds. Subscriptions go over graphql-ws on the same path.
 */
export function graphiqlRouter(): Router {
  const router = express.Router();
  const assets: Record<string, string> = {
    'react.js': packageFile('react', 'umd/react.production.min.js'),
    'react-dom.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
    'graphiql.js': packageFile('graphiql', 'graphiql.min.js'),
    'graphiql.css': packageFile('graphiql', 'graphiql.min.css'),
  };
  router.get('/graphiql/assets/:file', (req, res) => {
    const file = assets[req.params.file];
    if (!file) {
      res.status(404).end();
      return;
    }
    res.sendFile(file, { maxAge: '1d' });
  });
  router.get('/graphiql', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>answergraph · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style></head>
<body><div id="graphiql">Loading…</div>
<script src="/graphiql/assets/react.js"></script>
<script src="/graphiql/assets/react-dom.js"></script>
<script src="/graphiql/assets/graphiql.js"></script>
<script>
  const wsUrl = location.origin.replace(/^http/, 'ws') + '/graphql';
  const fetcher = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: wsUrl });
  const headers = JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2);
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultHeaders: headers, shouldPersistHeaders: true }));
</script></body></html>`);
  });
  return router;
}
