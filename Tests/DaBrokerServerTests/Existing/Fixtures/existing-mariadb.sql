-- The "existing database" test schema for MariaDB 10.11, written for DaBroker's
-- conformance tests (issue 15). Strict mode is the server's default (STRICT_TRANS_TABLES).
CREATE TABLE category (
    id int PRIMARY KEY,
    name varchar(40) NOT NULL,
    lead_item_id int NULL,
    CONSTRAINT category_name_key UNIQUE (name)
) ENGINE=InnoDB;
CREATE TABLE vault (
    code varchar(40) PRIMARY KEY
) ENGINE=InnoDB;
CREATE TABLE item (
    id int PRIMARY KEY,
    code varchar(20) NOT NULL,
    title varchar(80) NOT NULL,
    qty smallint NOT NULL DEFAULT 0,
    price decimal(10,2) NULL,
    mood enum('happy','sad','ok') NULL,
    flags set('new','sale') NULL,
    built year NULL,
    weight int unsigned NULL,
    picture blob NULL,
    attrs json NULL,
    ref_uuid uuid NULL,
    made date NULL,
    category_id int NULL,
    doubled int GENERATED ALWAYS AS (qty * 2) STORED,
    CONSTRAINT item_code_key UNIQUE (code),
    CONSTRAINT item_qty_nonneg CHECK (qty >= 0),
    CONSTRAINT item_price_positive CHECK (price > 0),
    CONSTRAINT item_category_fk FOREIGN KEY (category_id) REFERENCES category (id)
) ENGINE=InnoDB;
ALTER TABLE category ADD CONSTRAINT category_lead_item_fk FOREIGN KEY (lead_item_id) REFERENCES item (id);
CREATE TABLE serial_no (
    id int AUTO_INCREMENT PRIMARY KEY,
    label varchar(40) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE account (
    id int PRIMARY KEY,
    owner varchar(40) NOT NULL,
    pass_hash varchar(40) NOT NULL DEFAULT 'HASH_SECRET_4242',
    CONSTRAINT account_owner_check CHECK (owner <> 'nobody'),
    CONSTRAINT account_login_key UNIQUE (owner, pass_hash)
) ENGINE=InnoDB;
CREATE TABLE badge (
    id int PRIMARY KEY,
    label varchar(40) NOT NULL,
    vault_code varchar(40) NOT NULL DEFAULT 'VAULT_SECRET_55',
    CONSTRAINT badge_vault_fk FOREIGN KEY (vault_code) REFERENCES vault (code)
) ENGINE=InnoDB;
CREATE TABLE measurement (
    id int NOT NULL,
    taken date NOT NULL,
    category_id int NOT NULL,
    reading int NULL,
    PRIMARY KEY (id, taken)
) ENGINE=InnoDB
PARTITION BY RANGE (YEAR(taken)) (PARTITION p2025 VALUES LESS THAN (2026), PARTITION p2026 VALUES LESS THAN (2027));
CREATE VIEW item_title AS SELECT id, title FROM item;
CREATE VIEW item_summary AS SELECT category_id, count(*) AS n, max(qty) AS most FROM item GROUP BY category_id;
INSERT INTO vault (code) VALUES ('VAULT_1');
INSERT INTO category (id, name) VALUES (1, 'tools'), (2, 'toys');
INSERT INTO item (id, code, title, qty, price, mood, flags, built, weight, attrs, ref_uuid, made, category_id)
    VALUES (10, 'A-10', 'hammer', 3, 9.50, 'happy', 'new', 2020, 1200, '{"w": 2}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-05-01', 1),
           (11, 'A-11', 'kite', 1, 4.00, 'ok', '', NULL, NULL, NULL, NULL, NULL, 2);
UPDATE category SET lead_item_id = 10 WHERE id = 1;
INSERT INTO account (id, owner) VALUES (1, 'dave');
-- Only item refers to category 2, so deleting it is refused by one named constraint
-- (a database may check several referencing constraints in any order of its own).
INSERT INTO measurement (id, taken, category_id, reading) VALUES (1, '2025-03-01', 1, 7), (2, '2026-03-01', 1, 8);
