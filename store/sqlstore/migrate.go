package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder per dialect, with identical file names.
//
//go:embed migrations
var migrations embed.FS

// migrate applies the pending migrations and returns the schema version.
func (db *DB) migrate(ctx context.Context) (int64, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+db.d.name)
	if err != nil {
		return 0, fmt.Errorf("migrate %s database: %w", db.d.name, err)
	}
	opts := []goose.ProviderOption{goose.WithLogger(goose.NopLogger())}
	if db.d == postgresDialect {
		locker, err := db.migrationLocker(ctx)
		if err != nil {
			return 0, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(db.d.goose, db.writer, fsys, opts...)
	if err != nil {
		return 0, fmt.Errorf("migrate %s database: %w", db.d.name, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate %s database: %w", db.d.name, err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read %s schema version: %w", db.d.name, err)
	}
	return v, nil
}

// migrationLocker returns an advisory lock that lets one node of a cluster
// migrate at a time. Its ID is derived from the schema, so that databases
// in other schemas of the same server (tests run one per test) do not wait
// for each other.
func (db *DB) migrationLocker(ctx context.Context) (lock.SessionLocker, error) {
	var schema string
	if err := db.writer.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("migrate postgres database: read current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("gatehouse migrations " + schema))
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64())),
		lock.WithLockTimeout(1, 300),
	)
	if err != nil {
		return nil, fmt.Errorf("migrate postgres database: %w", err)
	}
	return locker, nil
}
