'use strict';
// Real third-party clients against a running Parley server, driven by Parley.IntegrationTests.
// Usage: node stomp-scenarios.js <scenario> '<json options>'
// Every line on stdout is one JSON event; the last one is {"event":"done"} on success. Exit code 0 = success.
const { Client } = require('@stomp/stompjs');
const WebSocket = require('ws');
const SockJS = require('sockjs-client');

const [, , scenario, rawOptions] = process.argv;
const opts = JSON.parse(rawOptions || '{}');
const emit = (event, data = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
const fail = (message) => { emit('failed', { message: String(message) }); process.exit(1); };
setTimeout(() => fail('scenario timed out'), opts.timeoutMs || 20000).unref();

function makeClient(token, extra = {}) {
  const mode = opts.mode || 'ws';
  const factory = mode === 'ws'
    ? () => new WebSocket(opts.baseUrl.replace(/^http/, 'ws') + 'stomp', ['v12.stomp', 'v11.stomp', 'v10.stomp'])
    : () => new SockJS(opts.baseUrl + 'stomp/sockjs', null, { transports: [mode] });
  const client = new Client({
    webSocketFactory: factory,
    connectHeaders: token === undefined ? {} : { Authorization: 'Bearer ' + token },
    reconnectDelay: 0,
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
    ...extra,
  });
  return client;
}

function connect(client) {
  return new Promise((resolve, reject) => {
    client.onConnect = (frame) => resolve(frame);
    client.onStompError = (frame) => reject(new Error('ERROR ' + frame.headers.message));
    client.onWebSocketError = (e) => reject(new Error('socket error ' + (e && e.message)));
    client.activate();
  });
}

// Resolves with the next message on a destination (subscribing once, buffering the rest).
let receiptCounter = 0;
async function inbox(client, destination) {
  const queue = [];
  const waiters = [];
  const id = 'sub-receipt-' + (++receiptCounter);
  const subscribed = receipt(client, id);
  client.subscribe(destination, (message) => {
    const item = { headers: message.headers, body: JSON.parse(message.body) };
    const waiter = waiters.shift();
    if (waiter) waiter(item); else queue.push(item);
  }, { receipt: id });
  await subscribed;
  return () => queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiters.push(resolve));
}

function receipt(client, id) {
  return new Promise((resolve) => client.watchForReceipt(id, resolve));
}

async function chat() {
  const alice = makeClient(opts.alice.token);
  const bob = makeClient(opts.bob.token);
  const connected = await connect(alice);
  emit('connected', { version: connected.headers.version, user: connected.headers['user-name'], heartBeat: connected.headers['heart-beat'] });
  await connect(bob);
  const aliceMessages = await inbox(alice, '/user/queue/messages');
  const aliceReceipts = await inbox(alice, '/user/queue/receipts');
  const bobMessages = await inbox(bob, '/user/queue/messages');
  const bobGroup = await inbox(bob, `/topic/groups/${opts.groupId}`);

  const durable = receipt(alice, 'r-1');
  alice.publish({ destination: `/app/chat/${opts.bob.account}`, body: JSON.stringify({ text: 'hello bob', clientMsgId: 'js-1' }), headers: { receipt: 'r-1', 'content-type': 'application/json' } });
  const ack = await aliceReceipts();
  await durable;
  emit('ack', ack.body);
  const toBob = await bobMessages();
  emit('message', { to: 'bob', destination: toBob.headers.destination, contentType: toBob.headers['content-type'], message: toBob.body });

  bob.publish({ destination: `/app/chat/${opts.alice.id}`, body: 'hi alice' });
  const toAlice = await aliceMessages();
  emit('message', { to: 'alice', message: toAlice.body });

  alice.publish({ destination: `/app/groups/${opts.groupId}`, body: 'hello group' });
  const groupAtBob = await bobGroup();
  emit('group', { atBob: groupAtBob.body, destination: groupAtBob.headers.destination });

  await alice.deactivate();
  await bob.deactivate();
  emit('done');
  process.exit(0);
}

async function refused() {
  const client = makeClient(opts.token);
  try {
    await connect(client);
    fail('connected with a bad token');
  } catch (e) {
    emit('refused', { message: e.message });
  }
  await client.deactivate();
  emit('done');
  process.exit(0);
}

async function heartbeat() {
  let pings = 0;
  let pongs = 0;
  const client = makeClient(opts.token, {
    heartbeatIncoming: opts.heartbeatMs,
    heartbeatOutgoing: opts.heartbeatMs,
    debug: (line) => { if (line.includes('<<< PONG')) pongs++; if (line.includes('>>> PING')) pings++; },
  });
  let closed = false;
  client.onWebSocketClose = () => { closed = true; };
  const frame = await connect(client);
  emit('connected', { heartBeat: frame.headers['heart-beat'] });
  // Stay connected well past the server's idle limit (2 × the interval); heart-beats keep it alive.
  await new Promise((resolve) => setTimeout(resolve, opts.stayMs));
  emit('heartbeats', { serverBeats: pongs, clientBeats: pings, closed });
  await client.deactivate();
  emit('done');
  process.exit(0);
}

const scenarios = { chat, refused, heartbeat };
if (!scenarios[scenario]) fail('unknown scenario ' + scenario);
scenarios[scenario]().catch(fail);
