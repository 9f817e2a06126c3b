-- Where each transfer is known from and how sure it is, and the figures public
-- registers (the SIPRI Arms Transfers Database) carry: see armtrace_core::transfer.
ALTER TABLE transfers ADD COLUMN source TEXT NOT NULL DEFAULT 'investigator';
ALTER TABLE transfers ADD COLUMN confidence TEXT NOT NULL DEFAULT 'medium';
ALTER TABLE transfers ADD COLUMN source_record TEXT;
ALTER TABLE transfers ADD COLUMN description TEXT;
ALTER TABLE transfers ADD COLUMN armament_category TEXT;
ALTER TABLE transfers ADD COLUMN status TEXT;
ALTER TABLE transfers ADD COLUMN number_ordered INTEGER;
ALTER TABLE transfers ADD COLUMN tiv_unit REAL;
ALTER TABLE transfers ADD COLUMN tiv_order REAL;
ALTER TABLE transfers ADD COLUMN tiv_delivered REAL;
ALTER TABLE transfers ADD COLUMN delivery_years TEXT;
ALTER TABLE transfers ADD COLUMN estimates TEXT;
ALTER TABLE transfers ADD COLUMN note TEXT;
CREATE INDEX transfers_model ON transfers (model);
CREATE INDEX transfers_source ON transfers (source, delivered_on);
