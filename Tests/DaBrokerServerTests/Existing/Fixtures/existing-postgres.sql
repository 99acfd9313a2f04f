-- The "existing database" test schema for PostgreSQL 15, written for DaBroker's
-- conformance tests (issue 15). One statement per line group, each ending with ';'.
CREATE TYPE mood AS ENUM ('happy', 'sad', 'ok');
CREATE DOMAIN positive_price AS numeric(10,2) CONSTRAINT positive_price_check CHECK (VALUE > 0);
CREATE TABLE category (
    id integer PRIMARY KEY,
    name text NOT NULL CONSTRAINT category_name_key UNIQUE,
    lead_item_id integer
);
CREATE TABLE vault (
    code text PRIMARY KEY
);
CREATE TABLE item (
    id integer PRIMARY KEY,
    code text NOT NULL CONSTRAINT item_code_key UNIQUE,
    title text NOT NULL,
    qty smallint NOT NULL DEFAULT 0 CONSTRAINT item_qty_nonneg CHECK (qty >= 0),
    price positive_price,
    mood mood,
    tags text[],
    attrs jsonb,
    ref_uuid uuid,
    made date,
    category_id integer CONSTRAINT item_category_fk REFERENCES category (id),
    doubled integer GENERATED ALWAYS AS (qty * 2) STORED
);
ALTER TABLE category ADD CONSTRAINT category_lead_item_fk FOREIGN KEY (lead_item_id) REFERENCES item (id)
    DEFERRABLE INITIALLY DEFERRED;
CREATE TABLE serial_no (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label text NOT NULL
);
-- Hidden columns with values of their own (defaults), which a refusal could quote back.
CREATE TABLE account (
    id integer PRIMARY KEY,
    owner text NOT NULL CONSTRAINT account_owner_check CHECK (owner <> 'nobody'),
    pass_hash text NOT NULL DEFAULT 'HASH_SECRET_4242',
    CONSTRAINT account_login_key UNIQUE (owner, pass_hash)
);
CREATE TABLE badge (
    id integer PRIMARY KEY,
    label text NOT NULL,
    vault_code text NOT NULL DEFAULT 'VAULT_SECRET_55' CONSTRAINT badge_vault_fk REFERENCES vault (code)
);
CREATE TABLE measurement (
    id integer NOT NULL,
    taken date NOT NULL,
    category_id integer NOT NULL,
    reading integer,
    PRIMARY KEY (id, taken)
) PARTITION BY RANGE (taken);
CREATE TABLE measurement_2025 PARTITION OF measurement FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurement_2026 PARTITION OF measurement FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE measurement_2025 ADD CONSTRAINT measurement_2025_category_fk FOREIGN KEY (category_id) REFERENCES category (id);
ALTER TABLE measurement_2026 ADD CONSTRAINT measurement_2026_category_fk FOREIGN KEY (category_id) REFERENCES category (id);
CREATE TABLE note (
    id integer PRIMARY KEY,
    body text NOT NULL
);
CREATE TABLE urgent_note (
    level integer NOT NULL DEFAULT 1
) INHERITS (note);
CREATE TABLE audited (
    id integer PRIMARY KEY,
    what text NOT NULL
);
CREATE TABLE audit_log (
    n serial PRIMARY KEY,
    what text NOT NULL
);
CREATE RULE audited_insert AS ON INSERT TO audited DO INSTEAD INSERT INTO audit_log (what) VALUES (NEW.what);
CREATE VIEW item_title AS SELECT id, title FROM item;
CREATE VIEW item_summary AS SELECT category_id, count(*) AS n, max(qty) AS most FROM item GROUP BY category_id;
INSERT INTO vault (code) VALUES ('VAULT_1');
INSERT INTO category (id, name) VALUES (1, 'tools'), (2, 'toys');
INSERT INTO item (id, code, title, qty, price, mood, tags, attrs, ref_uuid, made, category_id)
    VALUES (10, 'A-10', 'hammer', 3, 9.50, 'happy', '{steel,heavy}', '{"w": 2}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-05-01', 1),
           (11, 'A-11', 'kite', 1, 4.00, 'ok', '{}', NULL, NULL, NULL, 2);
UPDATE category SET lead_item_id = 10 WHERE id = 1;
INSERT INTO account (id, owner) VALUES (1, 'dave');
-- Only item refers to category 2, so deleting it is refused by one named constraint
-- (a database may check several referencing constraints in any order of its own).
INSERT INTO measurement (id, taken, category_id, reading) VALUES (1, '2025-03-01', 1, 7), (2, '2026-03-01', 1, 8);
INSERT INTO note (id, body) VALUES (1, 'plain');
INSERT INTO urgent_note (id, body, level) VALUES (2, 'urgent', 3);
