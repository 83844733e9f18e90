-- Gatehouse schema, SQLite. Keep in step with ../postgres/00001_init.sql:
-- same tables, columns, keys and indexes; only the types differ.
-- Times are Unix milliseconds (NULL: never); slices and maps are JSON text.
-- References that must refuse a delete say NO ACTION where PostgreSQL says
-- RESTRICT: SQLite reports a RESTRICT as SQLITE_CONSTRAINT_TRIGGER, and a
-- NO ACTION as SQLITE_CONSTRAINT_FOREIGNKEY, which the store maps to
-- ErrConflict.
-- AUTOINCREMENT keeps SQLite from reusing the ID of a deleted row, which a
-- token scope or an audit event may still name.

-- +goose Up
CREATE TABLE enterprises (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    ip_allow_list TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    enterprise_id BIGINT  REFERENCES enterprises (id) ON DELETE NO ACTION,
    external_id   TEXT,
    password_hash TEXT    NOT NULL,
    active        INTEGER NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_login_at BIGINT,
    UNIQUE (enterprise_id, external_id)
);
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE enterprise_admins (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (enterprise_id, user_id)
);
CREATE INDEX enterprise_admins_user ON enterprise_admins (user_id);

CREATE TABLE organizations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    enterprise_id BIGINT  REFERENCES enterprises (id) ON DELETE NO ACTION,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX organizations_enterprise ON organizations (enterprise_id);

-- groups.enterprise_id copies the organization's, so that group sync finds
-- the groups named after the IdP's in one index range per name.
CREATE TABLE groups (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    enterprise_id   BIGINT,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    permissions     TEXT    NOT NULL,
    managed_by      TEXT    NOT NULL,
    builtin         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (organization_id, name)
);
-- The index covers the columns group sync reads, so that finding a
-- user's groups never visits the table (SQLite has no INCLUDE: the other
-- columns follow the key).
CREATE INDEX groups_enterprise_name ON groups (enterprise_id, name, organization_id, id, description, permissions, managed_by, builtin, created_at);
CREATE UNIQUE INDEX groups_builtin ON groups (organization_id, builtin) WHERE builtin <> '';

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key             TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (organization_id, key)
);

CREATE TABLE memberships (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id        BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX memberships_user_organization ON memberships (user_id, organization_id);
CREATE INDEX memberships_organization_user ON memberships (organization_id, user_id);
CREATE INDEX memberships_group ON memberships (group_id);

CREATE TABLE tokens (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    hash            BLOB    NOT NULL UNIQUE,
    -- The owner of a personal token (deleted with it: DeleteUser deletes
    -- personal tokens first), or the creator of an organization token,
    -- which belongs to its organization and outlives its creator.
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    organization_id BIGINT  REFERENCES organizations (id) ON DELETE CASCADE,
    project_ids     TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_used_at    BIGINT,
    expires_at      BIGINT,
    CHECK (kind <> 'personal' OR user_id IS NOT NULL)
);
CREATE INDEX tokens_user ON tokens (user_id);
CREATE INDEX tokens_organization ON tokens (organization_id);

CREATE TABLE sessions (
    id           BLOB   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf         TEXT   NOT NULL,
    idp_groups   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Audit events outlive what they name: no foreign keys.
CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    time            BIGINT  NOT NULL,
    enterprise_id   BIGINT,
    organization_id BIGINT,
    actor           TEXT    NOT NULL,
    actor_user_id   BIGINT,
    type            TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    details         TEXT    NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time);
CREATE INDEX audit_events_enterprise ON audit_events (enterprise_id, id);
CREATE INDEX audit_events_organization ON audit_events (organization_id, id);

CREATE TABLE sso_connections (
    enterprise_id             BIGINT  PRIMARY KEY REFERENCES enterprises (id) ON DELETE CASCADE,
    idp_entity_id             TEXT    NOT NULL,
    sso_url                   TEXT    NOT NULL,
    certificates              TEXT    NOT NULL,
    metadata_url              TEXT,
    metadata_fetched_at       BIGINT,
    login_attribute           TEXT    NOT NULL,
    name_attribute            TEXT    NOT NULL,
    email_attribute           TEXT    NOT NULL,
    groups_attribute          TEXT    NOT NULL,
    sign_requests             INTEGER NOT NULL,
    want_encrypted_assertions INTEGER NOT NULL,
    allow_sha1                INTEGER NOT NULL,
    clock_skew_ms             BIGINT  NOT NULL,
    sp_key                    TEXT    NOT NULL,
    sp_certificate            TEXT    NOT NULL,
    created_at                BIGINT  NOT NULL,
    updated_at                BIGINT  NOT NULL
);

CREATE TABLE authn_requests (
    id            TEXT    PRIMARY KEY,
    enterprise_id BIGINT  NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    relay_state   TEXT    NOT NULL UNIQUE,
    return_to     TEXT    NOT NULL,
    browser_hash  BLOB    NOT NULL,
    test          INTEGER NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL
);
CREATE INDEX authn_requests_enterprise ON authn_requests (enterprise_id);

-- The replay cache: assertions accepted, until they expire.
CREATE TABLE saml_assertions (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    id            TEXT   NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, id)
);

-- +goose Down
DROP TABLE saml_assertions;
DROP TABLE authn_requests;
DROP TABLE sso_connections;
DROP TABLE audit_events;
DROP TABLE sessions;
DROP TABLE tokens;
DROP TABLE memberships;
DROP TABLE projects;
DROP TABLE groups;
DROP TABLE organizations;
DROP TABLE enterprise_admins;
DROP TABLE users;
DROP TABLE enterprises;
