// A small peer on nodemailer's smtp-server package: STARTTLS, AUTH PLAIN/LOGIN/CRAM-MD5
// (after STARTTLS only), delivery to one Maildir per account. Mail for the known accounts of
// the domain is stored, other local parts get 550, other domains are accepted (and dropped)
// only from authenticated clients, so it is no open relay. Run by ci/peers/nodemailer/start.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { SMTPServer } = require('smtp-server');

function parseArgs(argv) {
  const args = { accounts: new Map() };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === '--account') {
      const sep = value.indexOf(':');
      if (sep <= 0) throw new Error(`--account expects USER:PASSWORD, got ${value}`);
      args.accounts.set(value.slice(0, sep), value.slice(sep + 1));
    } else {
      args[key.replace(/^--/, '')] = value;
    }
  }
  for (const key of ['port', 'domain', 'maildir', 'cert', 'key', 'size']) {
    if (args[key] === undefined) throw new Error(`--${key} is required`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const domain = args.domain.toLowerCase();

// The account an address reaches, null for another domain (unknown names pass through).
function localUser(address) {
  const at = address.lastIndexOf('@');
  let local = at >= 0 ? address.slice(0, at) : address;
  const addressDomain = at >= 0 ? address.slice(at + 1).toLowerCase() : domain;
  // Only <postmaster> may come without a domain.
  if (addressDomain !== domain || (at < 0 && local.toLowerCase() !== 'postmaster')) return null;
  // "bob" is the same mailbox as bob.
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    local = local.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  local = local.toLowerCase();
  // RFC 5321 4.5.1: every domain accepts postmaster; it reaches the first account.
  return local === 'postmaster' ? args.accounts.keys().next().value : local;
}

function maildirOf(user) {
  return path.join(args.maildir, user, 'Maildir');
}

let deliveries = 0;
// Maildir delivery: write under tmp/, then rename into new/ (the rename makes it visible whole).
function deliver(user, content) {
  const box = maildirOf(user);
  const name = `${Date.now()}.P${process.pid}Q${++deliveries}.${os.hostname()}`;
  const tmp = path.join(box, 'tmp', name);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, path.join(box, 'new', name));
}

for (const user of args.accounts.keys()) {
  for (const sub of ['tmp', 'new', 'cur']) fs.mkdirSync(path.join(maildirOf(user), sub), { recursive: true });
}

const server = new SMTPServer({
  name: `mx.${domain}`,
  key: fs.readFileSync(args.key),
  cert: fs.readFileSync(args.cert),
  size: Number(args.size),
  authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
  // Strangers may still mail the local accounts; onRcptTo keeps relaying for logged-in clients.
  authOptional: true,
  // Without it every connection waits for a reverse DNS lookup of 127.0.0.1.
  disableReverseLookup: true,
  logger: false,
  onAuth(auth, session, callback) {
    const password = args.accounts.get(auth.username);
    const ok = password !== undefined &&
      (auth.method === 'CRAM-MD5' ? auth.validatePassword(password) : auth.password === password);
    if (!ok) return callback(new Error('Invalid username or password'));
    callback(null, { user: auth.username });
  },
  onRcptTo(address, session, callback) {
    const user = localUser(address.address);
    if (user === null && !session.user) {
      // 550: RFC 5321 3.6.2.
      return callback(Object.assign(new Error('Relay access denied'), { responseCode: 550 }));
    }
    if (user !== null && !args.accounts.has(user)) {
      return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
    }
    callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => {
      // Past the size limit the message is refused: keep nothing more in memory.
      if (!stream.sizeExceeded) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        return callback(Object.assign(new Error('Message too big'), { responseCode: 552 }));
      }
      const header = Buffer.from(`Return-Path: <${session.envelope.mailFrom.address}>\r\n`);
      const content = Buffer.concat([header, ...chunks]);
      try {
        for (const rcpt of session.envelope.rcptTo) {
          const user = localUser(rcpt.address);
          if (user !== null) deliver(user, content);
        }
      } catch (err) {
        return callback(Object.assign(new Error(`Delivery failed: ${err.message}`), { responseCode: 451 }));
      }
      callback(null, 'Message stored');
    });
  },
});

server.on('error', (err) => console.error(`smtp-server: ${err.message}`));
server.listen(Number(args.port), args.host || '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
