-- PostgreSQL dialect of migrations/sqlite/0005_transfer_sources.sql: the same tables, columns and version number.
-- Where each transfer is known from and how sure it is, and the figures public
-- registers (the SIPRI Arms Transfers Database) carry: see armtrace_core::transfer.
ALTER TABLE transfers ADD COLUMN source TEXT COLLATE "C" NOT NULL DEFAULT 'investigator';
ALTER TABLE transfers ADD COLUMN confidence TEXT COLLATE "C" NOT NULL DEFAULT 'medium';
ALTER TABLE transfers ADD COLUMN source_record TEXT COLLATE "C";
ALTER TABLE transfers ADD COLUMN description TEXT COLLATE "C";
ALTER TABLE transfers ADD COLUMN armament_category TEXT COLLATE "C";
ALTER TABLE transfers ADD COLUMN status TEXT COLLATE "C";
ALTER TABLE transfers ADD COLUMN number_ordered BIGINT;
ALTER TABLE transfers ADD COLUMN tiv_unit DOUBLE PRECISION;
ALTER TABLE transfers ADD COLUMN tiv_order DOUBLE PRECISION;
ALTER TABLE transfers ADD COLUMN tiv_delivered DOUBLE PRECISION;
ALTER TABLE transfers ADD COLUMN delivery_years TEXT COLLATE "C";
ALTER TABLE transfers ADD COLUMN estimates TEXT COLLATE "C";
ALTER TABLE transfers ADD COLUMN note TEXT COLLATE "C";
CREATE INDEX transfers_model ON transfers (model);
CREATE INDEX transfers_source ON transfers (source, delivered_on);
