// Writes testdata/sigv4_suite.json: AWS's Signature V4 test suite, as @aws-sdk/signature-v4 ships it (its
// suite.fixture.js), in a form the C++ signer tests read. Run again after updating that package:
//   NODE_PATH=<dir with node_modules> node tests/cpp/s3/tools/export_sigv4_suite.cjs
'use strict';
const fs = require('fs');
const path = require('path');

const signerDir = path.dirname(require.resolve('@aws-sdk/signature-v4/package.json'));
const suitePath = require.resolve('@smithy/signature-v4/dist-cjs/suite.fixture.js', { paths: [signerDir] });
const suite = require(suitePath);
const smithyVersion = require(path.join(path.dirname(suitePath), '..', 'package.json')).version;

const cases = suite.requests.map(({ name, request, authorization }) => ({
  name,
  method: request.method,
  path: request.path,
  query: Object.entries(request.query || {}).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => [key, v])),
  headers: Object.entries(request.headers),
  body: request.body || '',
  authorization,
}));

const out = {
  source: `AWS Signature V4 test suite via @smithy/signature-v4 ${smithyVersion} (dist-cjs/suite.fixture.js)`,
  region: suite.region,
  service: suite.service,
  credentials: suite.credentials,
  cases,
};
fs.writeFileSync(path.join(__dirname, '..', 'testdata', 'sigv4_suite.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`${cases.length} cases`);
