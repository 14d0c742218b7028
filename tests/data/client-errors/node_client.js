// Node TLS client used by record.py. Not a test by itself.
//   node node_client.js HOST PORT CAFILE [CERT KEY|- -] [TIMEOUT_MS]
// https.get to 127.0.0.1:PORT with servername HOST (SNI and the checked name),
// trusting only CAFILE. On failure prints String(err) and the error code.
'use strict';
const https = require('https');
const fs = require('fs');
const [host, port, cafile, cert, key, timeoutMs] = process.argv.slice(2);
const opts = {
  host: '127.0.0.1',
  port: Number(port),
  servername: host,
  path: '/',
  headers: { Host: `${host}:${port}` },
  ca: fs.readFileSync(cafile),
  agent: false,
};
if (cert && cert !== '-') {
  opts.cert = fs.readFileSync(cert);
  opts.key = fs.readFileSync(key);
}
if (timeoutMs) opts.signal = AbortSignal.timeout(Number(timeoutMs));
function fail(err) {
  console.log(String(err));
  console.log(`code: ${err.code}`);
  process.exit(1);
}
const req = https.get(opts, (res) => {
  res.on('data', () => {});
  res.on('end', () => process.exit(0));
  res.on('error', fail);
});
req.on('error', fail);
