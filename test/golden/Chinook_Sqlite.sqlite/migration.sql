-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Album" (
    "AlbumId" SERIAL NOT NULL,
    "Title" VARCHAR(160) NOT NULL,
    "ArtistId" INTEGER NOT NULL,

    CONSTRAINT "Album_pkey" PRIMARY KEY ("AlbumId")
);

-- CreateTable
CREATE TABLE "Artist" (
    "ArtistId" SERIAL NOT NULL,
    "Name" VARCHAR(120),

    CONSTRAINT "Artist_pkey" PRIMARY KEY ("ArtistId")
);

-- CreateTable
CREATE TABLE "Customer" (
    "CustomerId" SERIAL NOT NULL,
    "FirstName" VARCHAR(40) NOT NULL,
    "LastName" VARCHAR(20) NOT NULL,
    "Company" VARCHAR(80),
    "Address" VARCHAR(70),
    "City" VARCHAR(40),
    "State" VARCHAR(40),
    "Country" VARCHAR(40),
    "PostalCode" VARCHAR(10),
    "Phone" VARCHAR(24),
    "Fax" VARCHAR(24),
    "Email" VARCHAR(60) NOT NULL,
    "SupportRepId" INTEGER,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("CustomerId")
);

-- CreateTable
CREATE TABLE "Employee" (
    "EmployeeId" SERIAL NOT NULL,
    "LastName" VARCHAR(20) NOT NULL,
    "FirstName" VARCHAR(20) NOT NULL,
    "Title" VARCHAR(30),
    "ReportsTo" INTEGER,
    "BirthDate" TIMESTAMP(3),
    "HireDate" TIMESTAMP(3),
    "Address" VARCHAR(70),
    "City" VARCHAR(40),
    "State" VARCHAR(40),
    "Country" VARCHAR(40),
    "PostalCode" VARCHAR(10),
    "Phone" VARCHAR(24),
    "Fax" VARCHAR(24),
    "Email" VARCHAR(60),

    CONSTRAINT "Employee_pkey" PRIMARY KEY ("EmployeeId")
);

-- CreateTable
CREATE TABLE "Genre" (
    "GenreId" SERIAL NOT NULL,
    "Name" VARCHAR(120),

    CONSTRAINT "Genre_pkey" PRIMARY KEY ("GenreId")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "InvoiceId" SERIAL NOT NULL,
    "CustomerId" INTEGER NOT NULL,
    "InvoiceDate" TIMESTAMP(3) NOT NULL,
    "BillingAddress" VARCHAR(70),
    "BillingCity" VARCHAR(40),
    "BillingState" VARCHAR(40),
    "BillingCountry" VARCHAR(40),
    "BillingPostalCode" VARCHAR(10),
    "Total" DECIMAL(10,2) NOT NULL,

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("InvoiceId")
);

-- CreateTable
CREATE TABLE "InvoiceLine" (
    "InvoiceLineId" SERIAL NOT NULL,
    "InvoiceId" INTEGER NOT NULL,
    "TrackId" INTEGER NOT NULL,
    "UnitPrice" DECIMAL(10,2) NOT NULL,
    "Quantity" INTEGER NOT NULL,

    CONSTRAINT "InvoiceLine_pkey" PRIMARY KEY ("InvoiceLineId")
);

-- CreateTable
CREATE TABLE "MediaType" (
    "MediaTypeId" SERIAL NOT NULL,
    "Name" VARCHAR(120),

    CONSTRAINT "MediaType_pkey" PRIMARY KEY ("MediaTypeId")
);

-- CreateTable
CREATE TABLE "Playlist" (
    "PlaylistId" SERIAL NOT NULL,
    "Name" VARCHAR(120),

    CONSTRAINT "Playlist_pkey" PRIMARY KEY ("PlaylistId")
);

-- CreateTable
CREATE TABLE "PlaylistTrack" (
    "PlaylistId" INTEGER NOT NULL,
    "TrackId" INTEGER NOT NULL,

    CONSTRAINT "PlaylistTrack_pkey" PRIMARY KEY ("PlaylistId","TrackId")
);

-- CreateTable
CREATE TABLE "Track" (
    "TrackId" SERIAL NOT NULL,
    "Name" VARCHAR(200) NOT NULL,
    "AlbumId" INTEGER,
    "MediaTypeId" INTEGER NOT NULL,
    "GenreId" INTEGER,
    "Composer" VARCHAR(220),
    "Milliseconds" INTEGER NOT NULL,
    "Bytes" INTEGER,
    "UnitPrice" DECIMAL(10,2) NOT NULL,

    CONSTRAINT "Track_pkey" PRIMARY KEY ("TrackId")
);

-- CreateIndex
CREATE INDEX "IFK_AlbumArtistId" ON "Album"("ArtistId");

-- CreateIndex
CREATE INDEX "IFK_CustomerSupportRepId" ON "Customer"("SupportRepId");

-- CreateIndex
CREATE INDEX "IFK_EmployeeReportsTo" ON "Employee"("ReportsTo");

-- CreateIndex
CREATE INDEX "IFK_InvoiceCustomerId" ON "Invoice"("CustomerId");

-- CreateIndex
CREATE INDEX "IFK_InvoiceLineTrackId" ON "InvoiceLine"("TrackId");

-- CreateIndex
CREATE INDEX "IFK_InvoiceLineInvoiceId" ON "InvoiceLine"("InvoiceId");

-- CreateIndex
CREATE INDEX "IFK_PlaylistTrackTrackId" ON "PlaylistTrack"("TrackId");

-- CreateIndex
CREATE INDEX "IFK_TrackMediaTypeId" ON "Track"("MediaTypeId");

-- CreateIndex
CREATE INDEX "IFK_TrackGenreId" ON "Track"("GenreId");

-- CreateIndex
CREATE INDEX "IFK_TrackAlbumId" ON "Track"("AlbumId");

-- AddForeignKey
ALTER TABLE "Album" ADD CONSTRAINT "Album_ArtistId_fkey" FOREIGN KEY ("ArtistId") REFERENCES "Artist"("ArtistId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_SupportRepId_fkey" FOREIGN KEY ("SupportRepId") REFERENCES "Employee"("EmployeeId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "Employee" ADD CONSTRAINT "Employee_ReportsTo_fkey" FOREIGN KEY ("ReportsTo") REFERENCES "Employee"("EmployeeId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_CustomerId_fkey" FOREIGN KEY ("CustomerId") REFERENCES "Customer"("CustomerId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_TrackId_fkey" FOREIGN KEY ("TrackId") REFERENCES "Track"("TrackId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_InvoiceId_fkey" FOREIGN KEY ("InvoiceId") REFERENCES "Invoice"("InvoiceId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "PlaylistTrack" ADD CONSTRAINT "PlaylistTrack_TrackId_fkey" FOREIGN KEY ("TrackId") REFERENCES "Track"("TrackId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "PlaylistTrack" ADD CONSTRAINT "PlaylistTrack_PlaylistId_fkey" FOREIGN KEY ("PlaylistId") REFERENCES "Playlist"("PlaylistId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "Track" ADD CONSTRAINT "Track_MediaTypeId_fkey" FOREIGN KEY ("MediaTypeId") REFERENCES "MediaType"("MediaTypeId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "Track" ADD CONSTRAINT "Track_GenreId_fkey" FOREIGN KEY ("GenreId") REFERENCES "Genre"("GenreId") ON DELETE NO ACTION ON UPDATE NO ACTION;

-- AddForeignKey
ALTER TABLE "Track" ADD CONSTRAINT "Track_AlbumId_fkey" FOREIGN KEY ("AlbumId") REFERENCES "Album"("AlbumId") ON DELETE NO ACTION ON UPDATE NO ACTION;

