-- Demo rows. Password hashes are hidden by the demo configuration.
INSERT INTO person (id, name, email, password_hash, born, balance) VALUES
    (1, 'Ada Lovelace', 'ada@example.org', 'pbkdf2$ada-secret-hash', '1815-12-10', 1234.50),
    (2, 'Alan Turing', 'alan@example.org', 'pbkdf2$alan-secret-hash', '1912-06-23', 99.99),
    (3, 'Grace Hopper', 'grace@example.org', 'pbkdf2$grace-secret-hash', '1906-12-09', 0.00);
INSERT INTO address (id, person_id, street, city) VALUES
    (1, 1, '12 St James''s Square', 'London'),
    (2, 2, 'Hollymeade', 'Wilmslow'),
    (3, 3, '1 Navy Way', 'Arlington');
INSERT INTO project (id, title, owner_id, started) VALUES
    (1, 'Analytical Engine notes', 1, '1842-09-01 10:00:00'),
    (2, 'Bombe', 2, '1939-09-04 09:00:00'),
    (3, 'COBOL', 3, '1959-05-28 09:30:00'),
    (4, 'Unowned idea', NULL, NULL);
SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person));
SELECT setval(pg_get_serial_sequence('address', 'id'), (SELECT max(id) FROM address));
SELECT setval(pg_get_serial_sequence('project', 'id'), (SELECT max(id) FROM project));
