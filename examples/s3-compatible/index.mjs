// S3-compatible services: MinIO, Cloudflare R2 and Google Cloud Storage (its XML API, with HMAC keys), each
// a preset of the options s3() and s3Resource() take. Caches a value in the bucket, reads it back on a "second
// machine", mounts the same prefix in a workspace, lists and reads it, and deletes what it wrote.
//
//   S3_SERVICE=minio S3_ENDPOINT=http://127.0.0.1:9000 S3_BUCKET=my-bucket \
//     AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node examples/s3-compatible/index.mjs
//   S3_SERVICE=r2 R2_ACCOUNT_ID=<account id> S3_BUCKET=my-bucket AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... ...
//   S3_SERVICE=gcs S3_BUCKET=my-bucket AWS_ACCESS_KEY_ID=<HMAC access id> AWS_SECRET_ACCESS_KEY=<HMAC secret> ...
//
// S3_ENDPOINT overrides any preset's endpoint (the tests point each preset at a local S3 server that way);
// S3_PREFIX names the prefix it works under (default 'stratacache-example'). Credentials come from the
// environment as for AWS.
import { Cache, ram, s3, s3Resource, Workspace } from '../../dist/node.js';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see the top of examples/s3-compatible/index.mjs)`);
  return value;
}

// Each service's region is the one it signs for. Every preset addresses the bucket in the path: all three take
// it, and it works for bucket names with dots, which break TLS on virtual-hosted names (<bucket>.<host>).
const presets = {
  // MinIO's default region is us-east-1 (a server started with MINIO_REGION names another).
  minio: { region: 'us-east-1', endpoint: () => required('S3_ENDPOINT') },
  // R2 signs for 'auto' (it also takes 'us-east-1' and an empty region as aliases of it).
  r2: { region: 'auto', endpoint: () => `https://${required('R2_ACCOUNT_ID')}.r2.cloudflarestorage.com` },
  // GCS's XML API signs for 'auto' with HMAC keys (a bucket's location works too).
  gcs: { region: 'auto', endpoint: () => 'https://storage.googleapis.com' },
};

const service = required('S3_SERVICE');
if (!(service in presets)) throw new Error(`S3_SERVICE must be one of ${Object.keys(presets).join(', ')}`);
const { region, endpoint } = presets[service];
const connection = {
  bucket: required('S3_BUCKET'),
  endpoint: process.env.S3_ENDPOINT || endpoint(),
  region,
  forcePathStyle: true,
};
const prefix = process.env.S3_PREFIX || 'stratacache-example';
console.log(`${service}: ${connection.endpoint}, region ${connection.region}, path-style`);

// The cache tier: one object per entry under `${prefix}/cache`.
const tier = s3({ ...connection, prefix: `${prefix}/cache`, ttl: '1h' });
const decode = (bytes) => (bytes === undefined ? 'miss' : new TextDecoder().decode(bytes));
const a = await Cache.open({ tiers: [ram({ cacheLimit: '16MB' }), tier] });
await a.set('greeting', 'hello from machine A');
const b = await Cache.open({ tiers: [ram({ cacheLimit: '16MB' }), tier] });
console.log(`machine B reads: ${decode(await b.get('greeting'))}`);

// The same prefix as a workspace mount: the tier's objects are files named by their key's digest.
const ws = await Workspace.open({ mounts: { '/bucket': s3Resource({ ...connection, prefix }) } });
const [object] = await ws.ls('/bucket/cache');
console.log(`workspace lists /bucket/cache: one ${object.type} of ${object.size} bytes`);
console.log(`workspace reads it: ${await ws.readFile(object.path, { encoding: 'utf8' })}`);
await ws.close();

// One DELETE per entry. `clear()` deletes in batches of 1,000 with one multi-object delete each.
await b.delete('greeting');
console.log(`after delete, machine B reads: ${decode(await b.get('greeting'))}`);
await a.close();
await b.close();
