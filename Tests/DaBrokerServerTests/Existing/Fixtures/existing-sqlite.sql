-- The "existing database" test schema for SQLite, written for DaBroker's conformance tests
-- (issue 15): a STRICT table, a generated column, a view with computed columns.
CREATE TABLE category (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CONSTRAINT category_name_key UNIQUE,
    lead_item_id INTEGER REFERENCES item (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE vault (
    code TEXT PRIMARY KEY
);
CREATE TABLE item (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL CONSTRAINT item_code_key UNIQUE,
    title TEXT NOT NULL,
    qty INTEGER NOT NULL DEFAULT 0 CONSTRAINT item_qty_nonneg CHECK (qty >= 0),
    price DECIMAL(10,2) CONSTRAINT item_price_positive CHECK (price > 0),
    mood TEXT CONSTRAINT item_mood_check CHECK (mood IN ('happy', 'sad', 'ok')),
    attrs JSON,
    ref_uuid UUID,
    made DATE,
    category_id INTEGER CONSTRAINT item_category_fk REFERENCES category (id),
    doubled INTEGER GENERATED ALWAYS AS (qty * 2) STORED
);
CREATE TABLE serial_no (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    label TEXT NOT NULL
);
CREATE TABLE strict_thing (
    id INTEGER PRIMARY KEY,
    n INTEGER NOT NULL
) STRICT;
CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL CONSTRAINT account_owner_check CHECK (owner <> 'nobody'),
    pass_hash TEXT NOT NULL DEFAULT 'HASH_SECRET_4242',
    CONSTRAINT account_login_key UNIQUE (owner, pass_hash)
);
CREATE TABLE badge (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    vault_code TEXT NOT NULL DEFAULT 'VAULT_SECRET_55' CONSTRAINT badge_vault_fk REFERENCES vault (code)
);
CREATE VIEW item_title AS SELECT id, title FROM item;
CREATE VIEW item_summary AS SELECT category_id, count(*) AS n, max(qty) AS most, title || '!' AS shout FROM item GROUP BY category_id;
INSERT INTO vault (code) VALUES ('VAULT_1');
INSERT INTO category (id, name) VALUES (1, 'tools'), (2, 'toys');
INSERT INTO item (id, code, title, qty, price, mood, attrs, ref_uuid, made, category_id)
    VALUES (10, 'A-10', 'hammer', 3, '9.50', 'happy', '{"w": 2}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-05-01', 1),
           (11, 'A-11', 'kite', 1, '4.00', 'ok', NULL, NULL, NULL, 2);
UPDATE category SET lead_item_id = 10 WHERE id = 1;
INSERT INTO account (id, owner) VALUES (1, 'dave');
