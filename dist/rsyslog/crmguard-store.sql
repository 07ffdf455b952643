-- crmguard: the collector's store in PostgreSQL, written by rsyslog's
-- ompgsql (crmguard-collector.conf). Each record once: forwarding sends a
-- record again when it holds no acknowledgement for it (RELP), and the copy
-- has the same key, so ON CONFLICT DO NOTHING drops it. id keeps the order
-- records first came in.
--
--   psql -d crmguard -f crmguard-store.sql     (as the database's owner)

CREATE TABLE IF NOT EXISTS crmguard_record (
	id       bigserial PRIMARY KEY,	-- arrival order at the collector
	host     text NOT NULL,		-- the workstation (syslog HOSTNAME)
	procid   integer,		-- crmguardd's pid on it
	seq      bigint,		-- the record's seq=, from 1 at each start of crmguardd
	reported timestamptz NOT NULL,	-- when the workstation's syslog took it (microseconds)
	received timestamptz NOT NULL DEFAULT now(),
	event    text NOT NULL,
	record   text NOT NULL,		-- the record as crmguardd wrote it
	-- what a record and its copies share, and no two records do: a pid
	-- comes back after a reboot, and seq starts again at each start, but
	-- not at the same microsecond
	UNIQUE (host, procid, seq, reported)
);
CREATE INDEX IF NOT EXISTS crmguard_record_event ON crmguard_record (host, event, reported);

-- Records that never came: for each host and crmguardd (procid), the seq
-- numbers missing between two that came, in the order the workstation took
-- them. A seq lower than the one before starts a new run of crmguardd (a
-- start, a pid used again after a reboot): its records before the first
-- that came are missing too. Records lost after the last that came show
-- up with the next one (a heartbeat at the latest).
CREATE OR REPLACE VIEW crmguard_missing AS
SELECT host, procid, CASE WHEN seq > prev THEN prev + 1 ELSE 1 END AS first, seq - 1 AS last,
       reported AS before
FROM (SELECT host, procid, seq, reported,
	     coalesce(lag(seq) OVER (PARTITION BY host, procid ORDER BY reported, seq), 0) AS prev
      FROM crmguard_record WHERE seq IS NOT NULL) r
WHERE seq > prev + 1 OR (seq <= prev AND seq > 1);
