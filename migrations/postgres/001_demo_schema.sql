-- The demo schema: people, their addresses and a few projects.
CREATE TABLE person (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT,
    born DATE,
    balance NUMERIC(12, 2) NOT NULL DEFAULT 0
);
CREATE TABLE address (
    id SERIAL PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    street TEXT NOT NULL,
    city TEXT NOT NULL
);
CREATE TABLE project (
    id SERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    owner_id INTEGER REFERENCES person (id) ON DELETE SET NULL,
    started TIMESTAMP
);
