-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "products" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "col_very_long_name_that_exceeds_postgresql_identifier__df5c1591" INTEGER,
    "col_very_long_name_that_exceeds_postgresql_identifier__35370b19" INTEGER,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

