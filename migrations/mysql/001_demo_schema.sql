-- The demo schema: people, their addresses and a few projects.
CREATE TABLE person (
    id INT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    email VARCHAR(200),
    password_hash VARCHAR(200),
    born DATE,
    balance DECIMAL(12, 2) NOT NULL DEFAULT 0
) ENGINE = InnoDB;
CREATE TABLE address (
    id INT AUTO_INCREMENT PRIMARY KEY,
    person_id INT NOT NULL,
    street VARCHAR(200) NOT NULL,
    city VARCHAR(200) NOT NULL,
    FOREIGN KEY (person_id) REFERENCES person (id) ON DELETE CASCADE
) ENGINE = InnoDB;
CREATE TABLE project (
    id INT AUTO_INCREMENT PRIMARY KEY,
    title VARCHAR(200) NOT NULL,
    owner_id INT,
    started DATETIME,
    FOREIGN KEY (owner_id) REFERENCES person (id) ON DELETE SET NULL
) ENGINE = InnoDB;
