// Container health probe: GET http://127.0.0.1:$PORT<path> (default /health/ready),
// exit 0 on 2xx, 1 otherwise. Node's own fetch: the slim image has no curl or wget.
//   node docker/healthcheck.js [/health/live]
'use strict';
const path = process.argv[2] || '/health/ready';
const port = process.env.PORT || '3000';
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
