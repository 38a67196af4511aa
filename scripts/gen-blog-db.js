#!/usr/bin/env node
// Generates a realistic, deterministic "blog" SQLite database for benchmarks and soak tests.
//
//   node scripts/gen-blog-db.js <out.db> [--scale 1] [--seed 42]
//
// Scale 1 is about 2.4 million rows (~860 MB, ~45 s): users 50k, posts 200k, comments 1M, tags 1k,
// post_tags 600k, events 550k. --scale multiplies every count (0.01 for a quick check).
// The same seed and scale always produce the same rows.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

export const BASE_COUNTS = Object.freeze({
  users: 50_000,
  tags: 1_000,
  posts: 200_000,
  post_tags: 600_000, // ~3 per post on average
  comments: 1_000_000,
  events: 550_000,
});

export const SCHEMA_SQL = `
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email VARCHAR(120) NOT NULL UNIQUE,
  name VARCHAR(80),
  bio TEXT,
  is_admin BOOLEAN NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  balance NUMERIC(12,2) NOT NULL DEFAULT 0,
  avatar BLOB
);
CREATE TABLE tags (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(50) NOT NULL UNIQUE
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  published BOOLEAN NOT NULL DEFAULT 0,
  published_at DATETIME,
  score REAL,
  metadata JSON
);
CREATE TABLE post_tags (
  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (post_id, tag_id)
);
CREATE TABLE comments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  body TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  upvotes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  kind VARCHAR(32) NOT NULL,
  payload JSON,
  occurred_at DATETIME NOT NULL,
  ip VARCHAR(45)
);
`;

// Built after the data is in: faster than maintaining them row by row.
export const INDEX_SQL = `
CREATE INDEX posts_user_id_idx ON posts(user_id);
CREATE INDEX comments_post_id_idx ON comments(post_id);
CREATE INDEX comments_user_id_idx ON comments(user_id);
CREATE INDEX events_user_id_occurred_at_idx ON events(user_id, occurred_at);
`;

/** mulberry32: small, fast, good enough for test data; deterministic for a given seed. */
function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  const pick = (arr) => arr[Math.floor(next() * arr.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

const WORDS = (
  "the a of and to in is it that was for on are with as be at by this have from or one had not but what all " +
  "were when we there can an your which their said if do will each about how up out them then she many some so " +
  "these would other into has more her two like him see time could no make than first been its who now people my " +
  "made over did down only way find use may water long little very after words called just where most know " +
  "database migration postgres sqlite index query schema column table row transaction commit rollback vacuum " +
  "latency throughput benchmark cache buffer stream pipeline async await promise closure lambda tuple vector"
).split(" ");
// Words that make CSV/COPY/JSON escaping earn its keep.
const SPICY = [
  'say "hello"', "it's", "O'Brien", "C:\\Users\\bob", "back\\slash", "tab\there", "naïve", "café", "Zürich",
  "São Paulo", "Ελληνικά", "Русский", "日本語", "中文字符", "한국어", "עברית", "العربية", "🚀", "👍🏽", "👨‍👩‍👧", "🎉",
  "∑∫√π", "€100", "£5", "¥", "—dash—", "…", "«quoted»", "„low“", "\\N", "\\.", "NULL", "null", "a,b,c", "x;y", "{json}",
  "[array]", "<b>html</b>", "&amp;", "%d%s", "$1", "`tick`", "\u00a0nbsp", "zero\u200bwidth",
];
const FIRST = [
  "Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia",
  "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Zoë", "José", "Łukasz", "Søren", "Zoltán", "Ngozi",
  "Yuki", "明", "Анна", "Ahmed", "Priya", "Chloé", "Björn", "Siobhán", "D'Arcy",
];
const LAST = [
  "Smith", "Johnson", "Müller", "García", "Rossi", "Dubois", "Kowalski", "Nakamura", "Kim", "Nguyen", "O'Neil",
  "Ivanov", "Silva", "Andersson", "Novák", "Öztürk", "Papadopoulos", "van der Berg", "de la Cruz", "Ó Briain",
];
const EVENT_KINDS = [
  "page_view", "login", "logout", "signup", "post_create", "post_edit", "comment_create", "upvote", "search",
  "password_reset", "api_call", "export",
];

function makeText(rng) {
  // Pre-build a pool of sentences once; bodies are stitched from it (fast, still varied).
  const sentences = [];
  for (let i = 0; i < 4096; i++) {
    const n = rng.int(4, 18);
    const parts = [];
    for (let j = 0; j < n; j++) parts.push(rng.chance(0.06) ? rng.pick(SPICY) : rng.pick(WORDS));
    let s = parts.join(" ");
    s = s[0].toUpperCase() + s.slice(1) + rng.pick([".", ".", ".", "!", "?", "…"]);
    sentences.push(s);
  }
  const sentence = () => sentences[Math.floor(rng.next() * sentences.length)];
  /** Text of roughly `target` characters, with paragraph breaks (\n, \n\n, occasional \r\n and \t). */
  const text = (target) => {
    let out = "";
    while (out.length < target) {
      out += sentence();
      const r = rng.next();
      if (r < 0.08) out += "\n\n";
      else if (r < 0.11) out += "\n";
      else if (r < 0.115) out += "\r\n";
      else if (r < 0.12) out += "\n\t";
      else out += " ";
    }
    return out.trimEnd();
  };
  return { sentence, text };
}

const BASE_TIME = Date.UTC(2015, 0, 1) / 1000; // seconds
const SPAN = 10 * 365 * 24 * 3600; // ten years
const pad2 = (n) => (n < 10 ? "0" + n : "" + n);
function fmtDate(sec) {
  const d = new Date(sec * 1000);
  return (
    d.getUTCFullYear() + "-" + pad2(d.getUTCMonth() + 1) + "-" + pad2(d.getUTCDate()) + " " +
    pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes()) + ":" + pad2(d.getUTCSeconds())
  );
}
const fmtMicros = (sec, micros) => fmtDate(sec) + "." + String(micros).padStart(6, "0");

/** First `n` UTF-16 units of `s` without splitting a surrogate pair (a lone surrogate is invalid UTF-8 on disk). */
function cut(s, n) {
  if (s.length <= n) return s;
  const c = s.charCodeAt(n - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n);
}

function ipFor(rng) {
  if (rng.chance(0.8)) return `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  const h = () => rng.int(0, 0xffff).toString(16);
  return rng.chance(0.5) ? `2001:db8:${h()}:${h()}::${h()}` : `${h()}:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}`;
}

function parseArgs(argv) {
  const out = { file: null, scale: 1, seed: 42, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--scale") out.scale = Number(argv[++i]);
    else if (a.startsWith("--scale=")) out.scale = Number(a.slice(8));
    else if (a === "--seed") out.seed = Number(argv[++i]);
    else if (a.startsWith("--seed=")) out.seed = Number(a.slice(7));
    else if (a === "--quiet") out.quiet = true;
    else if (a === "-h" || a === "--help") out.help = true;
    else if (!a.startsWith("-") && out.file === null) out.file = a;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!Number.isFinite(out.scale) || out.scale <= 0) throw new Error("--scale must be a positive number");
  if (!Number.isInteger(out.seed)) throw new Error("--seed must be an integer");
  return out;
}

export function countsFor(scale) {
  const c = {};
  for (const [k, v] of Object.entries(BASE_COUNTS)) c[k] = Math.max(1, Math.round(v * scale));
  c.users = Math.max(c.users, 10);
  c.tags = Math.max(c.tags, 10);
  c.posts = Math.max(c.posts, 10);
  return c;
}

/** Generates the database at `file` (replaced if present). Returns { rows: {table: n}, seconds, bytes }. */
export function generate(file, { scale = 1, seed = 42, log = console.log } = {}) {
  const t0 = process.hrtime.bigint();
  const counts = countsFor(scale);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = file + ".partial";
  for (const f of [tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"]) fs.rmSync(f, { force: true });

  const db = new Database(tmp);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144"); // 256 MB
  db.pragma("temp_store = MEMORY");
  db.pragma("page_size = 4096");
  db.exec(SCHEMA_SQL);

  const rng = makeRng(seed);
  const { text } = makeText(rng);
  const rows = {};
  const userCreated = new Float64Array(counts.users + 1); // seconds, by user id
  const postCreated = new Float64Array(counts.posts + 1);

  const insUser = db.prepare(
    "INSERT INTO users (id, email, name, bio, is_admin, created_at, balance, avatar) VALUES (?,?,?,?,?,?,?,?)",
  );
  const insTag = db.prepare("INSERT INTO tags (id, name) VALUES (?,?)");
  const insPost = db.prepare(
    "INSERT INTO posts (id, user_id, title, body, published, published_at, score, metadata) VALUES (?,?,?,?,?,?,?,?)",
  );
  const insPostTag = db.prepare("INSERT INTO post_tags (post_id, tag_id) VALUES (?,?)");
  const insComment = db.prepare(
    "INSERT INTO comments (id, post_id, user_id, body, created_at, upvotes) VALUES (?,?,?,?,?,?)",
  );
  const insEvent = db.prepare(
    "INSERT INTO events (id, user_id, kind, payload, occurred_at, ip) VALUES (?,?,?,?,?,?)",
  );

  const step = (name, t) => {
    rows[name] = t;
    if (log) log(`  ${name.padEnd(10)} ${String(t).padStart(9)} rows  (${elapsed(t0).toFixed(1)} s)`);
  };

  db.transaction(() => {
    // users
    for (let id = 1; id <= counts.users; id++) {
      const first = rng.pick(FIRST);
      const last = rng.pick(LAST);
      const name = rng.chance(0.03) ? null : `${first} ${last}`;
      const local = (first + "." + last).toLowerCase().replace(/[^a-z0-9.]+/g, "") || "user";
      const email = `${local}.${id}@${rng.pick(["example.com", "mail.test", "exämple.org", "blog.dev"])}`;
      const bio = rng.chance(0.15) ? null : rng.chance(0.1) ? "" : text(rng.int(20, 400));
      const created = BASE_TIME + Math.floor(rng.next() * SPAN * 0.5);
      userCreated[id] = created;
      const balance = Math.round((rng.next() * 20000 - 2000) * 100) / 100;
      let avatar = null;
      if (rng.chance(0.4)) {
        avatar = Buffer.allocUnsafe(rng.int(16, 512));
        for (let i = 0; i < avatar.length; i++) avatar[i] = (rng.next() * 256) | 0;
      }
      insUser.run(id, email, name, bio, rng.chance(0.02) ? 1 : 0, fmtDate(created), balance, avatar);
    }
    step("users", counts.users);

    // tags
    for (let id = 1; id <= counts.tags; id++) {
      const base = rng.pick(WORDS) + "-" + rng.pick(WORDS);
      const name = (rng.chance(0.05) ? cut(rng.pick(SPICY), 20) + "-" : "") + base + "-" + id;
      insTag.run(id, cut(name, 50));
    }
    step("tags", counts.tags);

    // posts + post_tags
    let postTags = 0;
    const perPost = counts.post_tags / counts.posts; // average tags per post
    const maxTags = Math.min(counts.tags, Math.max(1, Math.round(perPost * 2)));
    const chosen = new Set();
    for (let id = 1; id <= counts.posts; id++) {
      const userId = rng.int(1, counts.users);
      const title = (rng.chance(0.1) ? rng.pick(SPICY) + ": " : "") + text(rng.int(20, 120)).replace(/\s+/g, " ");
      const body = text(rng.int(1000, 2000));
      const published = rng.chance(0.8);
      const created = userCreated[userId] + Math.floor(rng.next() * SPAN * 0.4);
      postCreated[id] = created;
      const publishedAt = published ? fmtMicros(created + rng.int(0, 86400 * 3), rng.int(0, 999999)) : null;
      const score = rng.chance(0.05) ? null : Math.round(rng.next() * 1e6) / 1e3 - 100 + rng.next() * 1e-6;
      const metadata = rng.chance(0.1)
        ? null
        : JSON.stringify({
            lang: rng.pick(["en", "de", "fr", "ja", "pt-BR"]),
            readingMinutes: rng.int(1, 30),
            featured: rng.chance(0.05),
            source: rng.pick(["web", "api", "import", "mobile"]),
            note: rng.chance(0.2) ? rng.pick(SPICY) : undefined,
            revisions: [rng.int(1, 9), rng.int(10, 99)],
          });
      insPost.run(id, userId, cut(title, 200), body, published ? 1 : 0, publishedAt, score, metadata);

      // 0..2*avg distinct tags; the exact total is topped up / trimmed below so counts stay predictable.
      let k = rng.int(0, maxTags);
      const remainingPosts = counts.posts - id;
      const needed = counts.post_tags - postTags;
      if (needed - k > remainingPosts * maxTags) k = Math.min(maxTags, needed - remainingPosts * maxTags);
      if (k > needed) k = needed;
      chosen.clear();
      while (chosen.size < k) chosen.add(rng.int(1, counts.tags));
      for (const tagId of chosen) insPostTag.run(id, tagId);
      postTags += k;
    }
    step("posts", counts.posts);
    step("post_tags", postTags);

    // comments
    for (let id = 1; id <= counts.comments; id++) {
      const postId = rng.int(1, counts.posts);
      const userId = rng.int(1, counts.users);
      const created = postCreated[postId] + rng.int(60, 86400 * 60);
      const upvotes = rng.chance(0.5) ? 0 : Math.floor(Math.pow(rng.next(), 3) * 5000);
      insComment.run(id, postId, userId, text(rng.int(60, 340)), fmtDate(created), upvotes);
    }
    step("comments", counts.comments);

    // events
    for (let id = 1; id <= counts.events; id++) {
      const userId = rng.chance(0.12) ? null : rng.int(1, counts.users);
      const kind = rng.pick(EVENT_KINDS);
      const payload = rng.chance(0.05)
        ? null
        : JSON.stringify({
            path: "/" + rng.pick(WORDS) + "/" + rng.int(1, 99999),
            ua: rng.pick(["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"]),
            ms: rng.int(1, 3000),
            q: kind === "search" ? rng.pick(SPICY) : undefined,
          });
      const when = BASE_TIME + Math.floor(rng.next() * SPAN);
      insEvent.run(id, userId, kind, payload, fmtDate(when), rng.chance(0.03) ? null : ipFor(rng));
    }
    step("events", counts.events);
  })();

  db.exec(INDEX_SQL);
  if (log) log(`  indexes built (${elapsed(t0).toFixed(1)} s)`);
  db.exec("ANALYZE");
  db.close();
  fs.renameSync(tmp, file);
  const bytes = fs.statSync(file).size;
  return { rows, seconds: elapsed(t0), bytes, counts, scale, seed };
}

function elapsed(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(String(e.message || e));
    process.exitCode = 2;
    return;
  }
  if (args.help || !args.file) {
    console.error("usage: node scripts/gen-blog-db.js <out.db> [--scale 1] [--seed 42]");
    process.exitCode = args.help ? 0 : 2;
    return;
  }
  console.log(`generating ${args.file} (scale ${args.scale}, seed ${args.seed})`);
  const r = generate(args.file, { scale: args.scale, seed: args.seed, log: args.quiet ? null : console.log });
  const total = Object.values(r.rows).reduce((a, b) => a + b, 0);
  console.log(
    `done: ${total} rows in ${r.seconds.toFixed(1)} s, ${(r.bytes / 1048576).toFixed(1)} MB -> ${args.file}`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
