/**
 * Tiny Node programs run as `node -e SCRIPT -- ARGS...` inside a namespace.
 * Values arrive through argv only, never spliced into the source, so any
 * body, host or message is passed through untouched. Each client prints one
 * JSON line, which keeps parsing in the parent trivial.
 */

/** Line a server prints once it is bound, so the parent knows it can connect. */
export const READY_MARKER = 'ctt:listening';

/** Fourth argv of {@link HTTP_SERVER}: answer with the client's address instead of the body. */
export const CLIENT_ADDRESS_REPLY = 'client-address';

/** argv: host port body [reply]. Answers every request with body, or the client's address when reply is CLIENT_ADDRESS_REPLY. */
export const HTTP_SERVER = `
const [host, port, body, reply] = process.argv.slice(1);
const server = require('node:http').createServer((req, res) => res.end(reply === ${JSON.stringify(CLIENT_ADDRESS_REPLY)} ? req.socket.remoteAddress : body));
server.on('error', (e) => { console.error(e.message); process.exit(1); });
process.on('SIGTERM', () => process.exit(0));
server.listen(Number(port), host, () => console.log(${JSON.stringify(READY_MARKER)}));
`;

/** argv: host port. Sends every datagram back prefixed "echo:". */
export const UDP_ECHO = `
const [host, port] = process.argv.slice(1);
const socket = require('node:dgram').createSocket(require('node:net').isIPv6(host) ? 'udp6' : 'udp4');
socket.on('message', (msg, from) => socket.send(Buffer.concat([Buffer.from('echo:'), msg]), from.port, from.address));
socket.on('error', (e) => { console.error(e.message); process.exit(1); });
process.on('SIGTERM', () => process.exit(0));
socket.bind(Number(port), host, () => console.log(${JSON.stringify(READY_MARKER)}));
`;

/** argv: url timeoutMs. Prints {status, body} or {error}. */
export const HTTP_GET = `
const [url, timeoutMs] = process.argv.slice(1);
const done = (r) => { console.log(JSON.stringify(r)); process.exit(0); };
setTimeout(() => done({ error: 'timed out after ' + timeoutMs + ' ms' }), Number(timeoutMs));
const client = require(url.startsWith('https:') ? 'node:https' : 'node:http');
client.get(url, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c) => { body += c; });
  res.on('end', () => done({ status: res.statusCode, body }));
}).on('error', (e) => done({ error: e.code || e.message }));
`;

/** argv: host port timeoutMs. Prints {open} or {open: false, error}. */
export const TCP_CONNECT = `
const [host, port, timeoutMs] = process.argv.slice(1);
const done = (r) => { console.log(JSON.stringify(r)); process.exit(0); };
setTimeout(() => done({ open: false, error: 'timeout' }), Number(timeoutMs));
require('node:net').connect(Number(port), host, () => done({ open: true }))
  .on('error', (e) => done({ open: false, error: e.code || e.message }));
`;

/** argv: host port message timeoutMs. Prints {reply} or {} on timeout. */
export const UDP_REQUEST = `
const [host, port, message, timeoutMs] = process.argv.slice(1);
const done = (r) => { console.log(JSON.stringify(r)); process.exit(0); };
const socket = require('node:dgram').createSocket(require('node:net').isIPv6(host) ? 'udp6' : 'udp4');
setTimeout(() => done({}), Number(timeoutMs));
socket.on('message', (msg) => done({ reply: msg.toString() }));
socket.on('error', (e) => done({ error: e.code || e.message }));
socket.send(message, Number(port), host);
`;
