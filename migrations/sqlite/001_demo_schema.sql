-- The demo schema: people, their addresses and a few projects.
CREATE TABLE person (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT,
    born DATE,
    balance NUMERIC(12, 2) NOT NULL DEFAULT 0
);
CREATE TABLE address (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    street TEXT NOT NULL,
    city TEXT NOT NULL
);
CREATE TABLE project (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    owner_id INTEGER REFERENCES person (id) ON DELETE SET NULL,
    started TIMESTAMP
);
