/**
 * Prisma Migrate's history table (https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories):
 * written by the baseline, left out of the drift comparison, never migrated from SQLite.
 */
export const PRISMA_MIGRATIONS_TABLE = "_prisma_migrations";
