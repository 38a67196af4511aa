-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "division" (
    "division_id" SERIAL NOT NULL,
    "division_kind_id" INTEGER,

    CONSTRAINT "division_pkey" PRIMARY KEY ("division_id")
);

-- CreateTable
CREATE TABLE "division_kind" (
    "division_kind_id" SERIAL NOT NULL,

    CONSTRAINT "division_kind_pkey" PRIMARY KEY ("division_kind_id")
);

-- AddForeignKey
ALTER TABLE "division" ADD CONSTRAINT "division_division_kind_id_fkey" FOREIGN KEY ("division_kind_id") REFERENCES "division_kind"("division_kind_id") ON DELETE NO ACTION ON UPDATE NO ACTION;

