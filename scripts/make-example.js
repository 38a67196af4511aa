// Builds examples/blog.db: the classic Flask tutorial blog ("flaskr": users, posts with a foreign key).
// The committed file is the output of this script; run it again only to change the example.
import Database from "better-sqlite3";
import { rmSync } from "node:fs";

const path = new URL("../examples/blog.db", import.meta.url).pathname;
rmSync(path, { force: true });
const db = new Database(path);
db.exec(`
CREATE TABLE user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT UNIQUE NOT NULL,
  password TEXT NOT NULL
);

CREATE TABLE post (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL,
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  FOREIGN KEY (author_id) REFERENCES user (id)
);
`);
const users = [
  ["alice", "pbkdf2:sha256:600000$x8Kq$3c0f6d1e1b8a4c7f"],
  ["bob", "pbkdf2:sha256:600000$Zr2m$9a7e5d3c1b0f2e4d"],
  ["chloé", "scrypt:32768:8:1$Qw9v$5b6c7d8e9f0a1b2c"],
];
const insertUser = db.prepare("INSERT INTO user (username, password) VALUES (?, ?)");
for (const u of users) insertUser.run(...u);
const posts = [
  [1, "2024-01-15 09:30:00", "Hello, Flask", "My first post.\nIt has two lines."],
  [1, "2024-01-16 18:02:11", "Tabs\tand \"quotes\"", "Backslash \\ and 'single quotes' survive."],
  [2, "2024-02-01 12:00:00", "Unicode", "Grüße, 日本語, emoji 🚀"],
  [2, "2024-02-03 07:45:59", "Last post", ""],
  [3, "2024-03-10 21:15:42", "To be deleted", "AUTOINCREMENT never reuses this id."],
];
const insertPost = db.prepare("INSERT INTO post (author_id, created, title, body) VALUES (?, ?, ?, ?)");
for (const p of posts) insertPost.run(...p);
// The highest id is deleted: sqlite_sequence remembers 5, so PostgreSQL's sequence must continue at 6.
db.prepare("DELETE FROM post WHERE id = 5").run();
db.close();
console.log(`wrote ${path}`);
