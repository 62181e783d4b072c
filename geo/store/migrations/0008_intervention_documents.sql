-- Documents on an intervention itself (approval notice, planning documents): they concern no pool area,
-- so pool_id may be empty there, and only there.
ALTER TABLE documents ALTER COLUMN pool_id DROP NOT NULL;
ALTER TABLE documents DROP CONSTRAINT documents_target_check;
ALTER TABLE documents ADD CONSTRAINT documents_target_check
    CHECK (target IN ('pool_area', 'allocation', 'inspection', 'intervention'));
ALTER TABLE documents ADD CONSTRAINT documents_pool_id_check
    CHECK (pool_id IS NOT NULL OR target = 'intervention');
