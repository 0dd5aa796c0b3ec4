-- Work that one node of a cluster does for all of them (the expiry purge) is done by the node
-- holding its lease. A node takes a lease with one conditional UPDATE (… WHERE held_until <= now),
-- so of nodes racing for it exactly one wins; the holder renews it while it works. held_until is
-- epoch milliseconds.
CREATE TABLE maintenance_leases (
    name       VARCHAR(100) PRIMARY KEY,
    holder     VARCHAR(200),
    held_until BIGINT NOT NULL
);
INSERT INTO maintenance_leases (name, holder, held_until) VALUES ('purge', NULL, 0);
