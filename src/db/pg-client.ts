/** The connection type every stage talks to PostgreSQL through (node-postgres; the embedded PGlite target is adapted to it). */
import pg from "pg";

export type PgClient = pg.Client;
