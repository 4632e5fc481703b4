// Starts s3rver (an S3-compatible server) for the tests: node s3rver.js <directory> <bucket>.
// Listens on 127.0.0.1 on a free port, prints {"event":"listening","port":N}, and stops when stdin closes
// (so it never outlives the test process that started it).
'use strict';
const S3rver = require('s3rver');

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) {
  console.error('usage: node s3rver.js <directory> <bucket>');
  process.exit(2);
}
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
server.run().then(
  address => console.log(JSON.stringify({ event: 'listening', port: address.port })),
  error => { console.error(error); process.exit(1); });
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
process.stdin.resume();
