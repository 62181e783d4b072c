-- Who owns a pool area (DOMAIN.md, Roles): a private person's name is personal data, shown only
-- to the owning municipality's GIS staff and to administrators (geo/access/privacy.py).
ALTER TABLE pool_areas
    ADD COLUMN owner_type text CHECK (owner_type IN ('öffentlich', 'unternehmen', 'privat'));
