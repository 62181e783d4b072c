-- Pool areas carry owner_type (Eigentümerart) since the privacy work; the PostGIS table lacked it,
-- so every write of pool areas failed (column "owner_type" does not exist). Numbered 0004 so that
-- 0003 stays free for the requests tables of the consent branch.
ALTER TABLE pool_areas ADD COLUMN owner_type text
    CHECK (owner_type IN ('öffentlich', 'unternehmen', 'privat'));
