/**
 * Output paths are checked before the target is touched: a `--report` into a missing folder must not fail after
 * the data is committed, and an unwritable `--out` must say so instead of surfacing later as a rename error.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { usage } from "./context.js";

/** The folder a new file or folder at `path` would be created in: its nearest existing ancestor. */
function existingAncestor(path: string): string {
  let dir = dirname(resolve(path));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function writableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** A folder the run writes into (created if missing). */
export function assertWritableDir(flag: string, path: string): void {
  const abs = resolve(path);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw usage(`${flag} ${path} is a file, not a folder`, `choose another ${flag}`);
    if (!writableDir(abs)) throw usage(`${flag} ${path} is not writable`, `fix its permissions or choose another ${flag}; nothing was changed`);
    return;
  }
  const parent = existingAncestor(abs);
  if (!writableDir(parent)) throw usage(`${flag} ${path} cannot be created: ${parent} is not a writable folder`, `choose another ${flag}; nothing was changed`);
}

/**
 * `--out` of an introspected run replaces `<out>/schema.prisma` and `<out>/migrations`. A schema there that is not a
 * postgresql one (a previous run's) is an application's own, e.g. `./prisma` of a Prisma app on SQLite: refused, so
 * that running the tool in the app's folder never overwrites the app's schema and history.
 */
export function assertNotAnAppSchema(flag: string, dir: string): void {
  const schemaPath = join(resolve(dir), "schema.prisma");
  if (!existsSync(schemaPath)) return;
  const datasource = /datasource\s+\w+\s*\{([^}]*)\}/.exec(readFileSync(schemaPath, "utf8"))?.[1] ?? "";
  const provider = /provider\s*=\s*"([^"]*)"/.exec(datasource)?.[1];
  if (provider === "postgresql") return;
  throw usage(
    `${flag} ${dir} holds ${join(dir, "schema.prisma")}${provider ? ` (provider "${provider}")` : ""}, an application's schema: writing there would replace it and its migrations`,
    `to move this Prisma project, pass --schema ${join(dir, "schema.prisma")} (its files are switched in place, the originals kept); otherwise choose another ${flag}; nothing was changed`,
  );
}

/** A file the run writes (its folder must exist: we do not create folders for a report or a rejects file). */
export function assertWritableFile(flag: string, path: string): void {
  const abs = resolve(path);
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) throw usage(`${flag} ${path} is a folder, not a file`, `name a file for ${flag}`);
    try {
      accessSync(abs, constants.W_OK);
    } catch {
      throw usage(`${flag} ${path} is not writable`, `fix its permissions or choose another ${flag}; nothing was changed`);
    }
    return;
  }
  const dir = dirname(abs);
  if (!existsSync(dir)) throw usage(`${flag} ${path}: the folder ${dir} does not exist`, `create it first or choose another ${flag}; nothing was changed`);
  if (!writableDir(dir)) throw usage(`${flag} ${path}: the folder ${dir} is not writable`, `choose another ${flag}; nothing was changed`);
}
