-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "TableName" (
    "id" INTEGER,
    "f1" TEXT
);

-- CreateTable
CREATE TABLE "appointments" (
    "time" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "autoinc" (
    "id" INTEGER,
    "ticket" TEXT
);

-- CreateTable
CREATE TABLE "blobs" (
    "id" SERIAL NOT NULL,
    "data" BYTEA,

    CONSTRAINT "blobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "character" (
    "id" SERIAL NOT NULL,
    "f1" VARCHAR(20),

    CONSTRAINT "character_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "currentdate" (
    "id" SERIAL NOT NULL,
    "my_value" TIMESTAMP(3) DEFAULT CURRENT_DATE,

    CONSTRAINT "currentdate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "datetime_default" (
    "i" INTEGER,
    "foo" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "def" (
    "id" SERIAL NOT NULL,
    "f1" TEXT DEFAULT '',
    "f2" TEXT,

    CONSTRAINT "def_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "double" (
    "x" DOUBLE PRECISION,
    "y" DOUBLE PRECISION
);

-- CreateTable
CREATE TABLE "intege" (
    "id" TEXT
);

-- CreateTable
CREATE TABLE "ints" (
    "id" SERIAL NOT NULL,
    "a" SMALLINT DEFAULT 0,
    "b" SMALLINT,
    "c" INTEGER,
    "d" BIGINT,

    CONSTRAINT "ints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "item" (
    "id" INTEGER,
    "price" DOUBLE PRECISION
);

-- CreateTable
CREATE TABLE "long" (
    "name" VARCHAR(70),
    "amount" DOUBLE PRECISION
);

-- CreateTable
CREATE TABLE "reals" (
    "id" SERIAL NOT NULL,
    "f1" DOUBLE PRECISION,

    CONSTRAINT "reals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "references" (
    "id" INTEGER
);

-- CreateTable
CREATE TABLE "stamps" (
    "StartTime" TIMESTAMP(3),
    "EndTime" TIMESTAMP(3)
);

-- CreateTable
CREATE TABLE "t548" (
    "foo" DECIMAL(20,6),
    "bar" DECIMAL(12,4)
);

-- CreateTable
CREATE TABLE "typenames" (
    "id" SERIAL NOT NULL,
    "is_public" INTEGER DEFAULT 0,
    "name" TEXT,

    CONSTRAINT "typenames_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unsigned" (
    "id" INTEGER NOT NULL,
    "action_flag" INTEGER NOT NULL,
    "s" INTEGER
);

-- CreateTable
CREATE TABLE "user" (
    "id" SERIAL NOT NULL,
    "name" TEXT,

    CONSTRAINT "user_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "autoinc_id_key" ON "autoinc"("id");

